package domain

import "slices"

// Labour is the state of the labour service as the events describe it. It
// is rebuilt from the event stream and not safe for concurrent use; the read
// model guards it.
type Labour struct {
	processes map[string]*Process
	cases     map[string]*Case
	caseIDs   []string          // sorted
	referrals map[string]string // education referral ID → case ID
	pilots    map[string]*Pilot
	pilotIDs  []string // sorted
	events    map[string]*OrientationEvent
	eventIDs  []string // sorted
}

// NewLabour returns an empty state.
func NewLabour() *Labour {
	return &Labour{
		processes: map[string]*Process{}, cases: map[string]*Case{}, referrals: map[string]string{},
		pilots: map[string]*Pilot{}, events: map[string]*OrientationEvent{},
	}
}

// AddProcessVersion records a published version.
func (l *Labour) AddProcessVersion(pv *ProcessVersion, revision uint64) {
	p, ok := l.processes[pv.Process]
	if !ok {
		p = &Process{ID: pv.Process}
		l.processes[pv.Process] = p
	}
	pv.Seq = revision
	p.Versions = append(p.Versions, pv)
	p.Revision = revision
}

// Process returns a process.
func (l *Labour) Process(id string) (*Process, bool) { p, ok := l.processes[id]; return p, ok }

// VersionOf returns the process version a case runs on.
func (l *Labour) VersionOf(c *Case) *ProcessVersion {
	pv, _ := l.processes[c.Process].Version(c.ProcessVersion)
	return pv
}

// AddCase records an opened case.
func (l *Labour) AddCase(c *Case) {
	l.cases[c.ID] = c
	insertSorted(&l.caseIDs, c.ID)
}

// Case returns a case.
func (l *Labour) Case(id string) (*Case, bool) { c, ok := l.cases[id]; return c, ok }

// Cases returns every case ordered by ID.
func (l *Labour) Cases() []*Case {
	out := make([]*Case, len(l.caseIDs))
	for i, id := range l.caseIDs {
		out[i] = l.cases[id]
	}
	return out
}

// LinkReferral records which case an education referral belongs to.
func (l *Labour) LinkReferral(referralID, caseID string) { l.referrals[referralID] = caseID }

// CaseByReferral returns the case an education referral belongs to.
func (l *Labour) CaseByReferral(referralID string) (*Case, bool) {
	id, ok := l.referrals[referralID]
	if !ok {
		return nil, false
	}
	return l.Case(id)
}

// HasPendingReferral reports whether a case waits for education to refer
// the participant.
func (l *Labour) HasPendingReferral(participant string) bool {
	for _, c := range l.cases {
		if r := c.Referral; r != nil && r.State == ReferralPending && r.Participant == participant {
			return true
		}
	}
	return false
}

// AddPilot records a created pilot.
func (l *Labour) AddPilot(p *Pilot) {
	l.pilots[p.ID] = p
	insertSorted(&l.pilotIDs, p.ID)
}

// Pilot returns a pilot.
func (l *Labour) Pilot(id string) (*Pilot, bool) { p, ok := l.pilots[id]; return p, ok }

// LinkedCases returns the cases linked to a pilot in the order they were
// linked.
func (l *Labour) LinkedCases(p *Pilot) []*Case {
	out := make([]*Case, 0, len(p.Cases))
	for _, id := range p.Cases {
		if c, ok := l.cases[id]; ok {
			out = append(out, c)
		}
	}
	return out
}

// Pilots returns every pilot ordered by ID.
func (l *Labour) Pilots() []*Pilot {
	out := make([]*Pilot, len(l.pilotIDs))
	for i, id := range l.pilotIDs {
		out[i] = l.pilots[id]
	}
	return out
}

// AddOrientationEvent records a scheduled event.
func (l *Labour) AddOrientationEvent(e *OrientationEvent) {
	l.events[e.ID] = e
	insertSorted(&l.eventIDs, e.ID)
}

// OrientationEvent returns an event.
func (l *Labour) OrientationEvent(id string) (*OrientationEvent, bool) {
	e, ok := l.events[id]
	return e, ok
}

// OrientationEvents returns every event ordered by ID.
func (l *Labour) OrientationEvents() []*OrientationEvent {
	out := make([]*OrientationEvent, len(l.eventIDs))
	for i, id := range l.eventIDs {
		out[i] = l.events[id]
	}
	return out
}

func insertSorted(ids *[]string, id string) {
	i, found := slices.BinarySearch(*ids, id)
	if !found {
		*ids = slices.Insert(*ids, i, id)
	}
}
