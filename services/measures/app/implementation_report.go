package app

import (
	"context"

	"github.com/integrationsplan/integrationsplan/services/measures/adapters/report"
	"github.com/integrationsplan/integrationsplan/services/measures/domain"
)

// ImplementationReportView is the rendered Umsetzungsbericht.
type ImplementationReportView struct {
	Period domain.Period
	CSV    []byte
	HTML   string
}

// ImplementationReport renders the implementation report of a period.
func (s *Service) ImplementationReport(ctx context.Context, period string) (ImplementationReportView, error) {
	p, err := domain.ParsePeriod("period", period)
	if err != nil {
		return ImplementationReportView{}, err
	}
	var r domain.ImplementationReport
	if err := s.read(ctx, func(plan *domain.Plan) error {
		r = domain.NewImplementationReport(plan, p, s.zone, s.valueOf)
		return nil
	}); err != nil {
		return ImplementationReportView{}, err
	}
	html, err := report.HTML(r, s.zone, s.now())
	if err != nil {
		return ImplementationReportView{}, err
	}
	return ImplementationReportView{Period: p, CSV: report.CSV(r, s.zone), HTML: html}, nil
}
