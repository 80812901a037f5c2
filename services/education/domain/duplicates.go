package domain

import (
	"fmt"
	"slices"
	"strings"
)

// Neighbours says which municipalities border each other; the relation is
// symmetric. It widens the duplicate check and the reach of a participant.
type Neighbours map[string][]string

// ParseNeighbours reads "a=b+c;d=e": a borders b and c, d borders e.
func ParseNeighbours(s string) (Neighbours, error) {
	n := Neighbours{}
	for entry := range strings.SplitSeq(s, ";") {
		entry = strings.TrimSpace(entry)
		if entry == "" {
			continue
		}
		from, tos, ok := strings.Cut(entry, "=")
		if !ok || !slugPattern.MatchString(from) {
			return nil, fmt.Errorf("neighbours: %q is not municipality=neighbour+neighbour", entry)
		}
		for to := range strings.SplitSeq(tos, "+") {
			if !slugPattern.MatchString(to) || to == from {
				return nil, fmt.Errorf("neighbours: %q is not a municipality ID other than %s", to, from)
			}
			n.add(from, to)
			n.add(to, from)
		}
	}
	return n, nil
}

func (n Neighbours) add(a, b string) {
	if !slices.Contains(n[a], b) {
		n[a] = append(n[a], b)
	}
}

// Adjacent reports whether a and b border each other.
func (n Neighbours) Adjacent(a, b string) bool { return slices.Contains(n[a], b) }

// PossibleDuplicate reports whether two offers may duplicate each other
// (Doppelstrukturen): same kind and entry level, same or neighbouring
// municipality, overlapping dates and overlapping weekly times. The reasons
// name each shared criterion in German.
func PossibleDuplicate(a, b Offer, n Neighbours) ([]string, bool) {
	if a.ID == b.ID || a.Kind != b.Kind || a.EntryLevel != b.EntryLevel {
		return nil, false
	}
	// The offers name their municipalities; the reason says how they relate.
	var place string
	switch {
	case a.Municipality == b.Municipality:
		place = "gleiche Kommune"
	case n.Adjacent(a.Municipality, b.Municipality):
		place = "benachbarte Kommunen"
	default:
		return nil, false
	}
	as, ae := a.dates()
	bs, be := b.dates()
	if as.After(be) || bs.After(ae) {
		return nil, false
	}
	slots := SlotsOverlap(a.Schedule, b.Schedule)
	if len(slots) == 0 {
		return nil, false
	}
	return []string{
		"gleiche Art: " + a.Kind.Label(),
		"gleiches Einstiegsniveau " + a.EntryLevel.String(),
		place,
		fmt.Sprintf("Zeiträume überschneiden sich: %s–%s und %s–%s", as.Format(germanDate), ae.Format(germanDate), bs.Format(germanDate), be.Format(germanDate)),
		"gleiche Wochenzeiten: " + strings.Join(slots, ", "),
	}, true
}

// germanDate is how the reasons write a date, e.g. 11.01.2027.
const germanDate = "02.01.2006"

// Duplicate is an existing offer a new one may duplicate.
type Duplicate struct {
	Offer   *OfferState
	Reasons []string
}

// Duplicates lists the active offers o may duplicate, oldest first.
func (c *Catalogue) Duplicates(o Offer, n Neighbours) []Duplicate {
	var out []Duplicate
	for _, other := range c.Offers() {
		if !other.Status.Active() {
			continue
		}
		if reasons, ok := PossibleDuplicate(other.Offer, o, n); ok {
			out = append(out, Duplicate{Offer: other, Reasons: reasons})
		}
	}
	return out
}

// DuplicatePair is two active offers that may duplicate each other; First is the older.
type DuplicatePair struct {
	First, Second *OfferState
	Reasons       []string
}

// DuplicatePairs lists every pair of active offers that may duplicate each
// other, optionally only pairs touching municipality. Offers are grouped by
// kind and entry level first, so only candidates are compared.
func (c *Catalogue) DuplicatePairs(n Neighbours, municipality string) []DuplicatePair {
	type key struct {
		kind  OfferKind
		level Level
	}
	groups := map[key][]*OfferState{}
	var keys []key
	for _, o := range c.Offers() {
		if !o.Status.Active() {
			continue
		}
		k := key{o.Kind, o.EntryLevel}
		if _, ok := groups[k]; !ok {
			keys = append(keys, k)
		}
		groups[k] = append(groups[k], o)
	}
	var out []DuplicatePair
	for _, k := range keys {
		g := groups[k]
		for i, a := range g {
			for _, b := range g[i+1:] {
				if municipality != "" && a.Municipality != municipality && b.Municipality != municipality {
					continue
				}
				if reasons, ok := PossibleDuplicate(a.Offer, b.Offer, n); ok {
					out = append(out, DuplicatePair{First: a, Second: b, Reasons: reasons})
				}
			}
		}
	}
	return out
}
