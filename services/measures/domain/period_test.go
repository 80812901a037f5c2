package domain_test

import (
	"testing"
	"time"

	"github.com/integrationsplan/integrationsplan/services/measures/domain"
)

func TestParsePeriod(t *testing.T) {
	good := map[string]domain.Period{
		"2025-03": {Kind: domain.Month, Year: 2025, N: 3},
		"2025-12": {Kind: domain.Month, Year: 2025, N: 12},
		"2025-Q1": {Kind: domain.Quarter, Year: 2025, N: 1},
		"2017-Q4": {Kind: domain.Quarter, Year: 2017, N: 4},
		"2025":    {Kind: domain.Year, Year: 2025},
	}
	for s, want := range good {
		got, err := domain.ParsePeriod("period", s)
		if err != nil || got != want {
			t.Errorf("ParsePeriod(%q) = %+v, %v; want %+v", s, got, err, want)
		}
		if got.String() != s {
			t.Errorf("%q renders as %q", s, got.String())
		}
	}
	for _, s := range []string{"", "2025-13", "2025-00", "2025-3", "2025-Q0", "2025-Q5", "2025-q1", "25", "1989", "2200", "2025-03-01", " 2025", "2025 ", "２０２５", "2025-H1", "2025/03", "+025"} {
		_, err := domain.ParsePeriod("periods[2]", s)
		wantOnlyViolation(t, err, "periods[2]", "2025-Q1")
	}
}

func TestPeriodMonthsAndContains(t *testing.T) {
	q1, _ := domain.ParsePeriod("p", "2025-Q1")
	mar, _ := domain.ParsePeriod("p", "2025-03")
	apr, _ := domain.ParsePeriod("p", "2025-04")
	y, _ := domain.ParsePeriod("p", "2025")
	if !q1.Contains(mar) || q1.Contains(apr) || !y.Contains(q1) || !y.Contains(apr) || q1.Contains(y) || !mar.Contains(mar) {
		t.Error("Contains is wrong")
	}
	f, l := q1.Months()
	if f.Period() != (domain.Period{Kind: domain.Month, Year: 2025, N: 1}) || l.Period() != mar {
		t.Errorf("Q1 months %v–%v", f.Period(), l.Period())
	}
	berlin, _ := time.LoadLocation("Europe/Berlin")
	if got := q1.Start(berlin); !got.Equal(time.Date(2025, 1, 1, 0, 0, 0, 0, berlin)) {
		t.Errorf("start %v", got)
	}
	if got := q1.End(berlin); !got.Equal(time.Date(2025, 4, 1, 0, 0, 0, 0, berlin)) {
		t.Errorf("end %v", got)
	}
	// 31 March 23:30 UTC is April in Berlin.
	late := time.Date(2025, 3, 31, 23, 30, 0, 0, time.UTC)
	if domain.MonthOf(late.In(berlin)).Period() != apr || domain.MonthOf(late).Period() != mar {
		t.Error("MonthOf does not use the time's location")
	}
	if mar.Compare(q1) >= 0 || q1.Compare(apr) >= 0 || y.Compare(q1) <= 0 {
		t.Error("Compare orders by end, then length")
	}
	if mar.Label() != "März 2025" || q1.Label() != "1. Quartal 2025" || y.Label() != "2025" {
		t.Errorf("labels %q %q %q", mar.Label(), q1.Label(), y.Label())
	}
}

// FuzzParsePeriod: no input panics, every accepted input is canonical (it
// renders back to itself) and its months lie within its year.
func FuzzParsePeriod(f *testing.F) {
	for _, s := range []string{"2025", "2025-03", "2025-Q1", "2025-13", "", "2025-Q", "9999-99", "2025-\x00"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p, err := domain.ParsePeriod("period", s)
		if err != nil {
			if p != (domain.Period{}) {
				t.Fatalf("error with a period %+v", p)
			}
			return
		}
		if p.String() != s {
			t.Fatalf("%q parsed as %+v renders as %q", s, p, p.String())
		}
		first, last := p.Months()
		if first > last || first.Period().Year != p.Year || last.Period().Year != p.Year {
			t.Fatalf("%q: months %v–%v", s, first.Period(), last.Period())
		}
		y := domain.Period{Kind: domain.Year, Year: p.Year}
		if !y.Contains(p) || !p.Contains(p) {
			t.Fatalf("%q is not within its year", s)
		}
	})
}

func FuzzParseCondition(f *testing.F) {
	for _, s := range []string{"municipality = backnang", "a.b != c", "x=y", "=", "a ==b", "A = b", "a.=b", "a = b = c", "a != ", "promoted_referral_id is set", "a.b is not set", "is set", "a is set = b"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		c, err := domain.ParseCondition(s)
		if err != nil {
			return
		}
		again, err := domain.ParseCondition(c.String())
		if err != nil || again != c {
			t.Fatalf("%q → %+v renders as %q → %+v, %v", s, c, c.String(), again, err)
		}
	})
}
