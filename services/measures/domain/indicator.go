package domain

import (
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/integrationsplan/integrationsplan/platform/apierr"
)

// IndicatorID identifies an indicator within its measure, like an actor ID:
// lower-case letters, digits and single hyphens, e.g. "angebote-im-katalog".
type IndicatorID string

var indicatorIDPattern = regexp.MustCompile(`^[a-z]([a-z0-9]|-[a-z0-9]){0,62}$`)

// ParseIndicatorID checks an indicator ID.
func ParseIndicatorID(s string) (IndicatorID, error) {
	if len(s) > 63 || !indicatorIDPattern.MatchString(s) {
		return "", apierr.Invalid("indicator_id", "must be lower-case letters, digits and single hyphens, start with a letter and have at most 63 characters, got %q", truncate(s, 80))
	}
	return IndicatorID(s), nil
}

// IndicatorKey names an indicator across measures.
type IndicatorKey struct {
	Measure MeasureID
	ID      IndicatorID
}

// AggregateID is the key as one event subject token: measure and indicator
// joined by an underscore, which neither ID contains.
func (k IndicatorKey) AggregateID() string { return string(k.Measure) + "_" + string(k.ID) }

// RollUp is how values of an indicator combine: over the periods inside a
// longer period (manual values) and over indicators of the same name and unit
// (topic field and plan).
type RollUp int32

const (
	RollUpUnspecified RollUp = iota
	RollUpSum
	RollUpAverage
	RollUpLatest
)

var rollUpLabels = map[RollUp]string{RollUpSum: "Summe", RollUpAverage: "Durchschnitt", RollUpLatest: "Letzter Wert"}

// Valid reports whether r is a known rule.
func (r RollUp) Valid() bool { _, ok := rollUpLabels[r]; return ok }

// Label is the German name.
func (r RollUp) Label() string { return rollUpLabels[r] }

// Indicator is what a measure is measured by.
type Indicator struct {
	Measure     MeasureID
	ID          IndicatorID
	DisplayName string
	Description string
	Unit        string
	// Actor is set for an actor's own indicator, empty for the measure as a whole.
	Actor        ActorID
	Baseline     float64
	BaselineDate string
	Target       float64
	TargetDate   string
	RollUp       RollUp
	// Rule derives the values from events; nil for a manual indicator.
	Rule *Rule
}

// Key names the indicator.
func (i Indicator) Key() IndicatorKey { return IndicatorKey{Measure: i.Measure, ID: i.ID} }

// Derived reports whether the values come from events.
func (i Indicator) Derived() bool { return i.Rule != nil }

// NewIndicator validates an indicator; catalog checks a rule's event types
// and fields. Field names are those of the API's Indicator.
func NewIndicator(i Indicator, catalog EventCatalog) (Indicator, error) {
	var v apierr.Violations
	if _, err := ParseIndicatorID(string(i.ID)); err != nil {
		v.Merge("", err)
	}
	v.Text("display_name", i.DisplayName, 3, 200, false)
	v.Text("description", i.Description, 0, 2000, true)
	v.Text("unit", i.Unit, 1, 40, false)
	checkNumber(&v, "baseline_value", i.Baseline)
	checkNumber(&v, "target_value", i.Target)
	baseline, okB := checkDate(&v, "baseline_date", i.BaselineDate)
	target, okT := checkDate(&v, "target_date", i.TargetDate)
	if okB && okT && target.Before(baseline) {
		v.Add("target_date", "must not be before baseline_date %s, got %s", i.BaselineDate, i.TargetDate)
	}
	if !i.RollUp.Valid() {
		v.Add("roll_up", "is required: SUM, AVERAGE or LATEST")
	}
	if i.Rule != nil {
		r, err := NewRule(*i.Rule, catalog)
		v.Merge("rule", err)
		i.Rule = &r
	}
	if err := v.Err(); err != nil {
		return Indicator{}, err
	}
	i.DisplayName, i.Description, i.Unit = strings.TrimSpace(i.DisplayName), strings.TrimSpace(i.Description), strings.TrimSpace(i.Unit)
	return i, nil
}

func checkNumber(v *apierr.Violations, field string, x float64) {
	if math.IsNaN(x) || math.IsInf(x, 0) || math.Abs(x) > 1e15 {
		v.Add(field, "must be a finite number of at most 1e15")
	}
}

func checkDate(v *apierr.Violations, field, s string) (time.Time, bool) {
	if s == "" {
		v.Add(field, "is required: a date YYYY-MM-DD")
		return time.Time{}, false
	}
	d, err := time.Parse(time.DateOnly, s)
	if err != nil || d.Year() < minPeriodYear || d.Year() > maxPeriodYear {
		v.Add(field, "must be a date YYYY-MM-DD between %d and %d, got %q", minPeriodYear, maxPeriodYear, truncate(s, 40))
		return time.Time{}, false
	}
	return d, true
}

// ManualValue is a recorded value of a manual indicator.
type ManualValue struct {
	Period Period
	Value  float64
	Source string
	// AsOf is the date of the figure, YYYY-MM-DD.
	AsOf string
	// Version and Time are those of the event that recorded it.
	Version uint64
	Time    time.Time
}

// NewManualValue validates a value to record for indicator i. today is the
// county's calendar day at UTC midnight, the default and bound of AsOf.
func NewManualValue(i Indicator, period string, value float64, source, asOf string, today time.Time) (ManualValue, error) {
	var v apierr.Violations
	if i.Derived() {
		v.Add("name", "indicator %s is derived from events (%s); only manual indicators take recorded values", i.ID, i.Rule.Terms[0].EventType)
	}
	p, err := ParsePeriod("period", period)
	v.Merge("", err)
	checkNumber(&v, "value", value)
	v.Text("source", source, 2, 200, false)
	if asOf == "" {
		asOf = today.Format(time.DateOnly)
	} else if d, err := time.Parse(time.DateOnly, asOf); err != nil {
		v.Add("as_of", "must be a date YYYY-MM-DD, got %q", truncate(asOf, 40))
	} else if d.After(today) {
		v.Add("as_of", "must not be in the future")
	}
	if err == nil && p.Start(time.UTC).After(today) {
		v.Add("period", "%s has not begun yet", p)
	}
	if err := v.Err(); err != nil {
		return ManualValue{}, err
	}
	return ManualValue{Period: p, Value: value, Source: strings.TrimSpace(source), AsOf: asOf}, nil
}

// IndicatorState is an indicator with its recorded values.
type IndicatorState struct {
	Indicator
	Version    uint64
	CreateTime time.Time
	// Manual values by period, the latest recording of each period.
	manual map[Period]ManualValue
	// Recorded lists every recording in order, for reports of what changed.
	Recorded []ManualValue
	// published: the last published value change of each period.
	published map[Period]PublishedValue
}

// Published is the last published value of period p, nil if none.
func (s *IndicatorState) Published(p Period) *PublishedValue {
	if v, ok := s.published[p]; ok {
		return &v
	}
	return nil
}

// Affected adds to periods, the periods whose value a change in them may
// have moved, the published periods that end later when the rule is
// cumulative: a late event of March changes April's and the year's
// cumulative values too.
func (s *IndicatorState) Affected(periods []Period) []Period {
	if s.Rule == nil || !s.Rule.Cumulative || len(periods) == 0 {
		return periods
	}
	// A change lies within each period marked for it, so it is no later
	// than the earliest end among them (the month itself, for events).
	_, earliest := periods[0].Months()
	for _, p := range periods[1:] {
		if _, last := p.Months(); last < earliest {
			earliest = last
		}
	}
	out := slices.Clone(periods)
	for p := range s.published {
		if _, last := p.Months(); last >= earliest && !slices.Contains(out, p) {
			out = append(out, p)
		}
	}
	return out
}

// PublishedPeriods lists the periods with a published value.
func (s *IndicatorState) PublishedPeriods() []Period {
	out := make([]Period, 0, len(s.published))
	for p := range s.published {
		out = append(out, p)
	}
	return out
}

// ChangedIndicator validates a new definition of an existing indicator: the
// actor stays, and a manual indicator stays manual and a derived one derived
// (their values come from different places).
func ChangedIndicator(old, next Indicator, catalog EventCatalog) (Indicator, error) {
	next.Measure, next.ID, next.Actor = old.Measure, old.ID, old.Actor
	if old.Derived() != next.Derived() {
		kind := "manual"
		if old.Derived() {
			kind = "derived"
		}
		return Indicator{}, apierr.Invalid("rule", "indicator %s is %s and stays so; define a new indicator instead", old.ID, kind)
	}
	return NewIndicator(next, catalog)
}

// Manual returns the value recorded for exactly period p.
func (s *IndicatorState) Manual(p Period) (ManualValue, bool) {
	m, ok := s.manual[p]
	return m, ok
}

// Value is an indicator's value for a period.
type Value struct {
	Period Period
	Has    bool
	Value  float64
	// ByGroup breaks a derived value down (group_by).
	ByGroup map[string]float64
	// Manual is the recording the value comes from, if it is one period's.
	Manual *ManualValue
}

// ManualValueFor is the value of a manual indicator for p: the value
// recorded for p itself, else the values of its parts (the quarters of a
// year, the months of a quarter; each recorded or made of its own parts)
// combined by the indicator's roll-up rule: their sum, their mean, or the
// value of the latest part.
func (s *IndicatorState) ManualValueFor(p Period) Value {
	if m, ok := s.manual[p]; ok {
		return Value{Period: p, Has: true, Value: m.Value, Manual: &m}
	}
	var parts []Value
	switch p.Kind {
	case Year:
		for q := 1; q <= 4; q++ {
			if v := s.ManualValueFor(Period{Kind: Quarter, Year: p.Year, N: q}); v.Has {
				parts = append(parts, v)
			}
		}
	case Quarter:
		for m := 3*p.N - 2; m <= 3*p.N; m++ {
			if v := s.ManualValueFor(Period{Kind: Month, Year: p.Year, N: m}); v.Has {
				parts = append(parts, v)
			}
		}
	}
	if len(parts) == 0 {
		return Value{Period: p}
	}
	if s.RollUp == RollUpLatest {
		last := parts[len(parts)-1]
		return Value{Period: p, Has: true, Value: last.Value, Manual: last.Manual}
	}
	values := make([]float64, len(parts))
	for i, v := range parts {
		values[i] = v.Value
	}
	return Value{Period: p, Has: true, Value: Combine(s.RollUp, values)}
}

// Combine applies a roll-up rule to values; LATEST takes the last one.
func Combine(r RollUp, values []float64) float64 {
	if len(values) == 0 {
		return 0
	}
	switch r {
	case RollUpLatest:
		return values[len(values)-1]
	case RollUpAverage:
		return sum(values) / float64(len(values))
	}
	return sum(values)
}

func sum(xs []float64) float64 {
	var s float64
	for _, x := range xs {
		s += x
	}
	return s
}

// FormatNumber renders a value the German way: decimal comma, at most two
// decimals, no trailing zeros.
func FormatNumber(x float64) string {
	s := strconv.FormatFloat(math.Round(x*100)/100, 'f', -1, 64)
	return strings.Replace(s, ".", ",", 1)
}
