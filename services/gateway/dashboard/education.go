package dashboard

import (
	"cmp"
	"net/http"
	"slices"
	"strings"

	edu "github.com/integrationsplan/integrationsplan/proto/integration/education/v1"
)

// freePlaces is the free places by municipality and entry level in the
// offers that take registrations (planned and open; a full offer has none).
type freePlaces struct {
	Levels []string
	Rows   []freeRow
	Total  freeRow
}

type freeRow struct {
	Municipality string
	Cells        []int
	Sum          int
	Offers       int
}

// countsFreePlaces reports whether an offer's free places can still be
// booked.
func countsFreePlaces(s edu.OfferStatus) bool {
	return s == edu.OfferStatus_OFFER_STATUS_PLANNED || s == edu.OfferStatus_OFFER_STATUS_OPEN || s == edu.OfferStatus_OFFER_STATUS_FULL
}

func buildFreePlaces(offers []*edu.Offer) freePlaces {
	var f freePlaces
	var levels []edu.CefrLevel
	byPlace := map[string]map[edu.CefrLevel]int{}
	count := map[string]int{}
	for _, o := range offers {
		if !countsFreePlaces(o.GetStatus()) {
			continue
		}
		if !slices.Contains(levels, o.GetEntryLevel()) {
			levels = append(levels, o.GetEntryLevel())
		}
		m := o.GetMunicipality()
		if byPlace[m] == nil {
			byPlace[m] = map[edu.CefrLevel]int{}
		}
		byPlace[m][o.GetEntryLevel()] += int(o.GetFreePlaces())
		count[m]++
	}
	slices.Sort(levels)
	for _, l := range levels {
		f.Levels = append(f.Levels, cefr(l))
	}
	places := make([]string, 0, len(byPlace))
	for m := range byPlace {
		places = append(places, m)
	}
	slices.SortFunc(places, func(a, b string) int { return cmp.Compare(municipality(a), municipality(b)) })
	f.Total = freeRow{Municipality: "Landkreis gesamt", Cells: make([]int, len(levels))}
	for _, m := range places {
		row := freeRow{Municipality: municipality(m), Offers: count[m]}
		for i, l := range levels {
			n := byPlace[m][l]
			row.Cells = append(row.Cells, n)
			row.Sum += n
			f.Total.Cells[i] += n
		}
		f.Total.Sum += row.Sum
		f.Total.Offers += row.Offers
		f.Rows = append(f.Rows, row)
	}
	return f
}

type offerRow struct {
	ID, Title, Provider, Municipality, Kind, Levels, Status, StatusKey string
	Start, End                                                         string
	Capacity, Booked, Free                                             int
}

type duplicateRow struct {
	Offer, OfferPlace, Other, OtherPlace string
	Reasons                              []string
}

// gapRow is a supply and demand gap: waiting participants (a count) and
// the free places they could take.
type gapRow struct {
	Municipality, Level     string
	Waiting, Free, Shortage int
	Open                    bool
}

type referralRow struct {
	Label string
	Count int
}

type educationPage struct {
	base
	OffersProblem    string
	FreePlaces       freePlaces
	PlacesChart      chart
	LevelChart       chart
	Offers           []offerRow
	DuplicateProblem string
	Duplicates       []duplicateRow
	ReferralProblem  string
	Referrals        []referralRow
	ReferralTotal    int
	ReferralChart    chart
	GapProblem       string
	Gaps             []gapRow
	OpenGaps         int
	GapChart         chart
	NotConnected     bool
}

func (d *Dashboard) buildEducation(data *educationData, p *educationPage, r *http.Request) {
	p.OffersProblem = d.problem(r, "offers", data.offersErr)
	p.DuplicateProblem = d.problem(r, "duplicates", data.duplicateErr)
	p.ReferralProblem = d.problem(r, "referrals", data.referralErr)
	p.GapProblem = d.problem(r, "gaps", data.gapErr)
	var gapValues []chartValue
	for _, g := range data.gaps {
		row := gapRow{Municipality: municipality(g.GetMunicipality()), Level: cefr(g.GetLevel()), Waiting: int(g.GetWaitingParticipants()),
			Free: int(g.GetFreePlaces()), Shortage: int(g.GetShortfall()), Open: g.GetOpen()}
		if row.Open {
			p.OpenGaps++
		}
		p.Gaps = append(p.Gaps, row)
		gapValues = append(gapValues, chartValue{Label: row.Municipality + ", " + row.Level,
			Values: []float64{float64(row.Waiting), float64(row.Free)}, Texts: []string{number(row.Waiting), number(row.Free)}})
	}
	p.GapChart = newChart("diagramm-luecken", "Wartende Teilnehmende und passende freie Plätze je Gemeinde und Niveau",
		[]chartSeries{{Name: "Wartende Teilnehmende", Class: "bar-a"}, {Name: "Passende freie Plätze", Class: "bar-b"}}, gapValues, 0, "")
	providers := map[string]string{}
	for _, pr := range data.providers {
		providers[pr.GetName()] = pr.GetDisplayName()
	}
	offers := map[string]*edu.Offer{}
	for _, o := range data.offers {
		offers[o.GetName()] = o
		prov := providers[o.GetProvider()]
		if prov == "" {
			prov = lastPart(o.GetProvider())
		}
		levels := cefr(o.GetEntryLevel())
		if o.GetTargetLevel() != o.GetEntryLevel() && o.GetTargetLevel() != edu.CefrLevel_CEFR_LEVEL_UNSPECIFIED {
			levels += " → " + cefr(o.GetTargetLevel())
		}
		p.Offers = append(p.Offers, offerRow{
			ID: lastPart(o.GetName()), Title: o.GetTitle(), Provider: prov, Municipality: municipality(o.GetMunicipality()),
			Kind: label(offerKinds, o.GetKind()), Levels: levels, Status: label(offerStatuses, o.GetStatus()),
			StatusKey: strings.ToLower(strings.TrimPrefix(o.GetStatus().String(), "OFFER_STATUS_")),
			Start:     date(o.GetStartDate()), End: date(o.GetEndDate()),
			Capacity: int(o.GetCapacity()), Booked: int(o.GetBookedSeats()), Free: int(o.GetFreePlaces()),
		})
	}
	p.FreePlaces = buildFreePlaces(data.offers)
	var byPlace, byLevel []chartValue
	for _, row := range p.FreePlaces.Rows {
		byPlace = append(byPlace, chartValue{Label: row.Municipality, Values: []float64{float64(row.Sum)}, Texts: []string{number(row.Sum)}})
	}
	for i, l := range p.FreePlaces.Levels {
		n := p.FreePlaces.Total.Cells[i]
		byLevel = append(byLevel, chartValue{Label: "Einstieg " + l, Values: []float64{float64(n)}, Texts: []string{number(n)}})
	}
	free := []chartSeries{{Name: "Freie Plätze", Class: "bar-a"}}
	p.PlacesChart = newChart("diagramm-plaetze-orte", "Freie Plätze je Gemeinde", free, byPlace, 0, "")
	p.LevelChart = newChart("diagramm-plaetze-niveau", "Freie Plätze je Einstiegsniveau", free, byLevel, 0, "")

	offerLabel := func(name string) (string, string) {
		if o, ok := offers[name]; ok {
			return o.GetTitle(), municipality(o.GetMunicipality())
		}
		return lastPart(name), ""
	}
	for _, pair := range data.duplicates {
		row := duplicateRow{Reasons: pair.GetReasons()}
		row.Offer, row.OfferPlace = offerLabel(pair.GetOffer())
		row.Other, row.OtherPlace = offerLabel(pair.GetOtherOffer())
		p.Duplicates = append(p.Duplicates, row)
	}
	// Referrals only as counts: no participant appears on the dashboard.
	counts := map[edu.ReferralStatus]int{}
	for _, ref := range data.referrals {
		counts[ref.GetStatus()]++
	}
	var refValues []chartValue
	for _, s := range referralStatuses {
		p.Referrals = append(p.Referrals, referralRow{Label: referralLabels[s], Count: counts[s]})
		p.ReferralTotal += counts[s]
		refValues = append(refValues, chartValue{Label: referralLabels[s], Values: []float64{float64(counts[s])}, Texts: []string{number(counts[s])}})
	}
	p.ReferralChart = newChart("diagramm-vermittlungen", "Vermittlungen je Status", []chartSeries{{Name: "Vermittlungen", Class: "bar-b"}}, refValues, 0, "")
}

func educationTables(p *educationPage) []table {
	var ts []table
	if p.OffersProblem == "" {
		places := table{Name: "freie-plaetze", Header: append(append([]string{"Gemeinde"}, p.FreePlaces.Levels...), "Summe", "Angebote")}
		for _, row := range append(slices.Clone(p.FreePlaces.Rows), p.FreePlaces.Total) {
			cells := []string{row.Municipality}
			for _, n := range row.Cells {
				cells = append(cells, number(n))
			}
			places.Rows = append(places.Rows, append(cells, number(row.Sum), number(row.Offers)))
		}
		offers := table{Name: "angebote", Header: []string{"Angebot", "Träger", "Gemeinde", "Art", "Niveau", "Status", "Beginn", "Ende", "Plätze", "Belegt", "Frei"}}
		for _, o := range p.Offers {
			offers.Rows = append(offers.Rows, []string{o.Title, o.Provider, o.Municipality, o.Kind, o.Levels, o.Status, o.Start, o.End,
				number(o.Capacity), number(o.Booked), number(o.Free)})
		}
		ts = append(ts, places, offers)
	}
	if p.GapProblem == "" {
		gaps := table{Name: "luecken", Header: []string{"Gemeinde", "Niveau", "Wartende Teilnehmende", "Passende freie Plätze", "Fehlende Plätze", "Lücke offen"}}
		for _, g := range p.Gaps {
			open := "nein"
			if g.Open {
				open = "ja"
			}
			gaps.Rows = append(gaps.Rows, []string{g.Municipality, g.Level, number(g.Waiting), number(g.Free), number(g.Shortage), open})
		}
		ts = append(ts, gaps)
	}
	if p.DuplicateProblem == "" {
		dup := table{Name: "duplikate", Header: []string{"Angebot", "Gemeinde", "Mögliches Duplikat", "Gemeinde", "Gründe"}}
		for _, row := range p.Duplicates {
			dup.Rows = append(dup.Rows, []string{row.Offer, row.OfferPlace, row.Other, row.OtherPlace, strings.Join(row.Reasons, "; ")})
		}
		ts = append(ts, dup)
	}
	if p.ReferralProblem == "" {
		ref := table{Name: "vermittlungen", Header: []string{"Status", "Anzahl"}}
		for _, row := range p.Referrals {
			ref.Rows = append(ref.Rows, []string{row.Label, number(row.Count)})
		}
		ts = append(ts, ref)
	}
	return ts
}

func (d *Dashboard) educationPage(w http.ResponseWriter, r *http.Request, v *viewer) {
	p := &educationPage{base: d.base(r, v, "Bildung und Sprache", "bildung")}
	if !d.connected(educationPackage) {
		p.NotConnected = true
		if csvRequested(w, r, "bildung", func() []table { return nil }) {
			return
		}
		d.render(w, http.StatusOK, "education", p)
		return
	}
	ctx, cancel := v.callContext(r)
	defer cancel()
	d.buildEducation(fetchEducation(ctx, d.education, true), p, r)
	if csvRequested(w, r, "bildung", func() []table { return educationTables(p) }) {
		return
	}
	d.render(w, http.StatusOK, "education", p)
}
