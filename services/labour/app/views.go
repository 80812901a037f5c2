package app

import (
	"slices"
	"time"

	"github.com/integrationsplan/integrationsplan/services/labour/domain"
)

// ProcessVersionView is a process version with its process's revision.
type ProcessVersionView struct {
	domain.ProcessVersion
	Revision uint64
}

func processVersionView(p *domain.Process, pv *domain.ProcessVersion) ProcessVersionView {
	v := ProcessVersionView{ProcessVersion: *pv, Revision: p.Revision}
	v.Stages = slices.Clone(pv.Stages)
	return v
}

// CaseView is a case as a caller sees it, without personal data.
type CaseView struct {
	ID             string
	Process        string
	ProcessVersion int32
	Owner          string
	Municipality   string
	Stage          string
	Completed      []string
	Missing        []string
	State          domain.CaseState
	Outcome        domain.Outcome
	Overdue        bool
	StageEnter     time.Time
	// Due is zero for a stage without time target.
	Due        time.Time
	TransferTo string
	TransferAt time.Time
	Referral   *domain.Referral
	Erased     bool
	Revision   uint64
	CreateTime time.Time
	UpdateTime time.Time
}

func caseView(l *domain.Labour, c *domain.Case) CaseView {
	pv := l.VersionOf(c)
	v := CaseView{
		ID: c.ID, Process: c.Process, ProcessVersion: c.ProcessVersion, Owner: c.Owner, Municipality: c.Municipality,
		Stage: c.Stage, Completed: c.Completed(pv), Missing: c.Missing(pv), State: c.State, Outcome: c.Outcome,
		Overdue: c.Overdue, StageEnter: c.StageEnter, TransferTo: c.TransferTo, TransferAt: c.TransferAt,
		Erased: c.Erased, Revision: c.Revision, CreateTime: c.CreateTime, UpdateTime: c.UpdateTime,
	}
	if due, ok := c.DueTime(pv); ok {
		v.Due = due
	}
	if c.Referral != nil {
		r := *c.Referral
		v.Referral = &r
	}
	return v
}

// caseByID reads a case from the read model as it is.
func (s *Service) caseByID(id string) (v CaseView, err error) {
	err = s.view(func(l *domain.Labour) error {
		c, err := lookupCase(l, id)
		if err == nil {
			v = caseView(l, c)
		}
		return err
	})
	return v, err
}

// PilotView is a pilot with the outcomes of its closed linked cases and the
// places they fill.
type PilotView struct {
	domain.Pilot
	CaseOutcomes map[domain.Outcome]int
	FilledPlaces int
}

func pilotView(l *domain.Labour, p *domain.Pilot) PilotView {
	f := domain.ComputeFunnel(nil, l.LinkedCases(p))
	v := PilotView{Pilot: *p, CaseOutcomes: f.Outcomes, FilledPlaces: f.FilledPlaces()}
	v.Partners, v.Places, v.Cases = slices.Clone(p.Partners), slices.Clone(p.Places), slices.Clone(p.Cases)
	return v
}

func orientationView(e *domain.OrientationEvent) domain.OrientationEvent {
	v := *e
	v.Partners, v.Topics, v.Cases = slices.Clone(e.Partners), slices.Clone(e.Topics), slices.Clone(e.Cases)
	return v
}
