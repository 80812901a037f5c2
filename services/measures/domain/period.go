package domain

import (
	"fmt"
	"strconv"
	"time"

	"github.com/integrationsplan/integrationsplan/platform/apierr"
)

// PeriodKind is the length of a reporting period.
type PeriodKind int8

const (
	PeriodKindUnspecified PeriodKind = iota
	Month
	Quarter
	Year
)

// Years a period may lie in.
const (
	minPeriodYear = 1990
	maxPeriodYear = 2199
)

// Period is a calendar month ("2025-03"), quarter ("2025-Q1") or year
// ("2025") in the county's time zone. The zero Period is invalid.
type Period struct {
	Kind PeriodKind
	Year int
	// N is the month (1–12) or quarter (1–4); 0 for a year.
	N int
}

// ParsePeriod reads a period in one of its three forms, e.g. "2025-03",
// "2025-Q1" or "2025". field names the request field in the error.
func ParsePeriod(field, s string) (Period, error) {
	bad := func() (Period, error) {
		return Period{}, apierr.Invalid(field, "must be a month (2025-03), a quarter (2025-Q1) or a year (2025) between %d and %d, got %q", minPeriodYear, maxPeriodYear, truncate(s, 40))
	}
	if len(s) < 4 || !digits(s[:4]) {
		return bad()
	}
	y, _ := strconv.Atoi(s[:4])
	if y < minPeriodYear || y > maxPeriodYear {
		return bad()
	}
	switch {
	case len(s) == 4:
		return Period{Kind: Year, Year: y}, nil
	case len(s) == 7 && s[4] == '-' && s[5] == 'Q' && s[6] >= '1' && s[6] <= '4':
		return Period{Kind: Quarter, Year: y, N: int(s[6] - '0')}, nil
	case len(s) == 7 && s[4] == '-' && digits(s[5:]):
		m, _ := strconv.Atoi(s[5:])
		if m < 1 || m > 12 {
			return bad()
		}
		return Period{Kind: Month, Year: y, N: m}, nil
	}
	return bad()
}

func digits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

// String is the period's canonical form, which ParsePeriod reads back.
func (p Period) String() string {
	switch p.Kind {
	case Month:
		return fmt.Sprintf("%04d-%02d", p.Year, p.N)
	case Quarter:
		return fmt.Sprintf("%04d-Q%d", p.Year, p.N)
	case Year:
		return fmt.Sprintf("%04d", p.Year)
	}
	return ""
}

// Label is the German name, e.g. "März 2025", "1. Quartal 2025", "2025".
func (p Period) Label() string {
	switch p.Kind {
	case Month:
		return germanMonths[p.N-1] + " " + strconv.Itoa(p.Year)
	case Quarter:
		return strconv.Itoa(p.N) + ". Quartal " + strconv.Itoa(p.Year)
	}
	return p.String()
}

var germanMonths = [12]string{"Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August", "September", "Oktober", "November", "Dezember"}

// MonthIndex numbers months consecutively (year*12 + month-1), so ranges of
// months compare as integers.
type MonthIndex int32

// MonthOf is the month of t in t's location.
func MonthOf(t time.Time) MonthIndex { return MonthIndex(t.Year()*12 + int(t.Month()) - 1) }

// Period is the month as a period.
func (m MonthIndex) Period() Period { return Period{Kind: Month, Year: int(m) / 12, N: int(m)%12 + 1} }

// Months is the first and last month of the period.
func (p Period) Months() (first, last MonthIndex) {
	base := MonthIndex(p.Year * 12)
	switch p.Kind {
	case Month:
		return base + MonthIndex(p.N-1), base + MonthIndex(p.N-1)
	case Quarter:
		return base + MonthIndex(3*(p.N-1)), base + MonthIndex(3*p.N-1)
	}
	return base, base + 11
}

// Contains reports whether q lies within p (a period contains itself).
func (p Period) Contains(q Period) bool {
	pf, pl := p.Months()
	qf, ql := q.Months()
	return pf <= qf && ql <= pl
}

// Start is the first instant of the period in loc.
func (p Period) Start(loc *time.Location) time.Time {
	f, _ := p.Months()
	return time.Date(int(f)/12, time.Month(int(f)%12+1), 1, 0, 0, 0, 0, loc)
}

// End is the first instant after the period in loc.
func (p Period) End(loc *time.Location) time.Time {
	_, l := p.Months()
	l++
	return time.Date(int(l)/12, time.Month(int(l)%12+1), 1, 0, 0, 0, 0, loc)
}

// Compare orders periods by their end, then shorter first (so the last month
// of a quarter comes before the quarter).
func (p Period) Compare(q Period) int {
	_, pl := p.Months()
	_, ql := q.Months()
	if pl != ql {
		return int(pl - ql)
	}
	return int(p.Kind - q.Kind)
}
