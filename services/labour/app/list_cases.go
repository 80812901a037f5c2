package app

import (
	"context"
	"fmt"

	"github.com/integrationsplan/integrationsplan/platform/apierr"
	"github.com/integrationsplan/integrationsplan/platform/paging"
	"github.com/integrationsplan/integrationsplan/services/labour/domain"
)

// CaseFilter selects cases; zero values select all.
type CaseFilter struct {
	Owner       string
	Process     string
	Stage       string
	State       domain.CaseState
	OverdueOnly bool
}

func (f CaseFilter) matches(c *domain.Case) bool {
	return (f.Owner == "" || c.Owner == f.Owner) && (f.Process == "" || c.Process == f.Process) &&
		(f.Stage == "" || c.Stage == f.Stage) && (f.State == domain.CaseStateUnspecified || c.State == f.State) &&
		(!f.OverdueOnly || c.Overdue)
}

// ListCases lists cases by ID.
func (s *Service) ListCases(ctx context.Context, f CaseFilter, size int32, token string) (Page[CaseView], error) {
	var v apierr.Violations
	if f.State != domain.CaseStateUnspecified && !f.State.Valid() {
		v.Add("state", "unknown case state %d", f.State)
	}
	if f.Owner != "" && !domain.ValidSlug(f.Owner) {
		v.Add("owner", "must be an organisation ID such as jobcenter-rems-murr, got %q", f.Owner)
	}
	if f.Stage != "" && !domain.ValidSlug(f.Stage) {
		v.Add("stage", "must be a stage ID such as intake, got %q", f.Stage)
	}
	pg, err := paging.Parse(size, token, fmt.Sprintf("o=%s;p=%s;s=%s;st=%d;od=%t", f.Owner, f.Process, f.Stage, f.State, f.OverdueOnly))
	v.Merge("", err)
	if err := v.Err(); err != nil {
		return Page[CaseView]{}, err
	}
	var out Page[CaseView]
	err = s.read(ctx, func(l *domain.Labour) error {
		if f.Process != "" {
			p, ok := l.Process(f.Process)
			if !ok {
				return apierr.NotFound("process %s not found", f.Process)
			}
			if f.Stage != "" && !hasStage(p, f.Stage) {
				return apierr.Invalid("stage", "is not a stage of any version of process %s, got %q", f.Process, f.Stage)
			}
		}
		var matching []CaseView
		for _, c := range l.Cases() {
			if f.matches(c) {
				matching = append(matching, caseView(l, c))
			}
		}
		out.TotalSize = len(matching)
		out.Items, out.NextToken = paging.Cut(pg, matching,
			func(c CaseView) string { return c.ID },
			func(c CaseView, after string) bool { return c.ID > after })
		return nil
	})
	return out, err
}

func hasStage(p *domain.Process, stage string) bool {
	for _, pv := range p.Versions {
		if pv.StageIndex(stage) >= 0 {
			return true
		}
	}
	return false
}
