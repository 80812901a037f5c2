package app

import (
	"context"
	"strconv"

	"github.com/integrationsplan/integrationsplan/platform/apierr"
	"github.com/integrationsplan/integrationsplan/platform/paging"
	"github.com/integrationsplan/integrationsplan/services/labour/domain"
)

// ListProcessVersions lists the versions of a process, oldest first.
func (s *Service) ListProcessVersions(ctx context.Context, process string, size int32, token string) (Page[ProcessVersionView], error) {
	pg, err := paging.Parse(size, token, "process="+process)
	if err != nil {
		return Page[ProcessVersionView]{}, err
	}
	var out Page[ProcessVersionView]
	err = s.read(ctx, func(l *domain.Labour) error {
		p, ok := l.Process(process)
		if !ok {
			return apierr.NotFound("process %s not found", process)
		}
		all := make([]ProcessVersionView, len(p.Versions))
		for i, pv := range p.Versions {
			all[i] = processVersionView(p, pv)
		}
		out.TotalSize = len(all)
		out.Items, out.NextToken = paging.Cut(pg, all,
			func(v ProcessVersionView) string { return strconv.Itoa(int(v.Version)) },
			func(v ProcessVersionView, after string) bool { n, _ := strconv.Atoi(after); return int(v.Version) > n })
		return nil
	})
	return out, err
}
