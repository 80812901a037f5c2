package domain

// Figures summarise a group of adoptions.
type Figures struct {
	Total  int
	Counts map[Status]int
	// AdoptedShare is the share of adoptions the actor has taken up (0–1).
	AdoptedShare float64
	// MeanProgress is the mean progress of those taken up (ADOPTED counts 0).
	MeanProgress float64
}

func (f *Figures) add(a Adoption) {
	f.Total++
	f.Counts[a.Status]++
}

func (f *Figures) finish(progressSum int64) {
	taken := f.Counts[Adopted] + f.Counts[InProgress] + f.Counts[Paused] + f.Counts[Implemented]
	if f.Total > 0 {
		f.AdoptedShare = float64(taken) / float64(f.Total)
	}
	if taken > 0 {
		f.MeanProgress = float64(progressSum) / float64(taken)
	}
}

// Report holds the adoption figures of the plan.
type Report struct {
	ByTopicField map[TopicField]*Figures
	ByActor      map[ActorID]*Figures
	Plan         *Figures
}

// Report counts every adoption (measure × addressed actor) by status, per
// topic field, per actor and for the whole plan.
func (p *Plan) Report() Report {
	r := Report{ByTopicField: map[TopicField]*Figures{}, ByActor: map[ActorID]*Figures{}, Plan: newFigures()}
	for _, tf := range TopicFields() {
		r.ByTopicField[tf] = newFigures()
	}
	for _, a := range p.Actors() {
		r.ByActor[a.ID] = newFigures()
	}
	sums := map[*Figures]int64{}
	for _, m := range p.Measures() {
		for _, e := range p.Adoptions(m) {
			for _, f := range []*Figures{r.ByTopicField[m.TopicField], r.ByActor[e.Actor.ID], r.Plan} {
				f.add(e.Adoption)
				if e.Status.Taken() {
					sums[f] += int64(e.Progress)
				}
			}
		}
	}
	for _, f := range r.ByTopicField {
		f.finish(sums[f])
	}
	for _, f := range r.ByActor {
		f.finish(sums[f])
	}
	r.Plan.finish(sums[r.Plan])
	return r
}

func newFigures() *Figures { return &Figures{Counts: map[Status]int{}} }
