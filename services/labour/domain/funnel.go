package domain

import (
	"slices"
	"time"
)

// StageFigures are the funnel figures of one stage.
type StageFigures struct {
	Stage Stage
	// Reached counts cases that ever entered the stage.
	Reached int
	// Current counts cases in the stage now (closed ones in the closing stage).
	Current int
	// Overdue counts cases in the stage now and flagged overdue.
	Overdue int
	// ConversionToNext is the share of the cases that reached this stage and
	// also reached the next one.
	ConversionToNext float64
	// MedianDays is the median length of the finished stays in the stage.
	MedianDays    float64
	FinishedStays int
}

// Funnel holds the figures of a set of cases along a list of stages.
type Funnel struct {
	Stages   []StageFigures
	Outcomes map[Outcome]int
	Total    int
	Open     int
	Overdue  int
}

// ComputeFunnel counts cases along stages. Stages are matched by ID, so a
// case migrated between versions counts wherever its stages appear.
func ComputeFunnel(stages []Stage, cases []*Case) Funnel {
	f := Funnel{Stages: make([]StageFigures, len(stages)), Outcomes: map[Outcome]int{}, Total: len(cases)}
	index := map[string]int{}
	days := make([][]float64, len(stages))
	for i, s := range stages {
		f.Stages[i].Stage = s
		index[s.ID] = i
	}
	both := make([]int, len(stages)) // cases that reached stage i and stage i+1
	for _, c := range cases {
		if c.State == Open {
			f.Open++
			if c.Overdue {
				f.Overdue++
			}
		} else {
			f.Outcomes[c.Outcome]++
		}
		reached := make([]bool, len(stages))
		for _, st := range c.Stays {
			i, ok := index[st.Stage]
			if !ok {
				continue
			}
			reached[i] = true
			if !st.Exit.IsZero() {
				days[i] = append(days[i], Days(st.Exit.Sub(st.Enter)))
			}
		}
		for i, r := range reached {
			if !r {
				continue
			}
			f.Stages[i].Reached++
			if i+1 < len(reached) && reached[i+1] {
				both[i]++
			}
		}
		if i, ok := index[c.Stage]; ok {
			f.Stages[i].Current++
			if c.State == Open && c.Overdue {
				f.Stages[i].Overdue++
			}
		}
	}
	for i := range f.Stages {
		s := &f.Stages[i]
		if s.Reached > 0 && i+1 < len(stages) {
			s.ConversionToNext = float64(both[i]) / float64(s.Reached)
		}
		s.FinishedStays = len(days[i])
		s.MedianDays = Median(days[i])
	}
	return f
}

// Median of xs; 0 for none.
func Median(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}

// Days is a duration in days, for figures.
func Days(d time.Duration) float64 { return d.Hours() / 24 }
