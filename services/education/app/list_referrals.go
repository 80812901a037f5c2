package app

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strconv"

	"github.com/integrationsplan/integrationsplan/platform/apierr"
	"github.com/integrationsplan/integrationsplan/platform/paging"
	"github.com/integrationsplan/integrationsplan/services/education/domain"
)

// ReferralFilter selects referrals; zero values select all.
type ReferralFilter struct {
	// Offer limits the list to one offer; empty lists every offer's.
	Offer       string
	Participant string
	Status      domain.ReferralStatus
}

// ListReferrals lists referrals in order of arrival (creation version).
func (s *Service) ListReferrals(ctx context.Context, f ReferralFilter, size int32, token string) (Page[ReferralView], error) {
	var v apierr.Violations
	if f.Status != domain.ReferralStatusUnspecified && !f.Status.Valid() {
		v.Add("status", "unknown referral status %d", f.Status)
	}
	pg, err := paging.Parse(size, token, fmt.Sprintf("o=%s;p=%s;st=%d", f.Offer, f.Participant, f.Status))
	v.Merge("", err)
	if err := v.Err(); err != nil {
		return Page[ReferralView]{}, err
	}
	var out Page[ReferralView]
	err = s.read(ctx, func(c *domain.Catalogue) error {
		offers := c.Offers()
		if f.Offer != "" {
			o, err := lookupOffer(c, f.Offer)
			if err != nil {
				return err
			}
			offers = []*domain.OfferState{o}
		}
		var matching []ReferralView
		for _, o := range offers {
			for _, r := range o.Referrals() {
				if (f.Participant == "" || r.Participant == f.Participant) && (f.Status == domain.ReferralStatusUnspecified || r.Status == f.Status) {
					matching = append(matching, referralView(o, r))
				}
			}
		}
		slices.SortFunc(matching, func(a, b ReferralView) int { return cmp.Compare(a.CreatedVersion, b.CreatedVersion) })
		out.TotalSize = len(matching)
		out.Items, out.NextToken = paging.Cut(pg, matching,
			func(r ReferralView) string { return strconv.FormatUint(r.CreatedVersion, 10) },
			func(r ReferralView, after string) bool {
				n, _ := strconv.ParseUint(after, 10, 64)
				return r.CreatedVersion > n
			})
		return nil
	})
	return out, err
}
