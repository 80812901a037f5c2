package dashboard

import (
	"context"
	"errors"
	"sync"

	"golang.org/x/sync/errgroup"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	edu "github.com/integrationsplan/integrationsplan/proto/integration/education/v1"
	lab "github.com/integrationsplan/integrationsplan/proto/integration/labour/v1"
	mpb "github.com/integrationsplan/integrationsplan/proto/integration/measures/v1"
)

// The dashboard reads through the gateway's own gRPC endpoint with the
// viewer's credential, exactly as a partner's program would: the guard
// authenticates, checks scopes and rate limits, and the services see the
// partner's signed principal.

const (
	pageSize = 500
	// maxPages bounds a listing (500 × 200 = 100,000 entries).
	maxPages = 200
)

var errTooManyPages = errors.New("dashboard: listing has too many pages")

// all collects every page of a listing.
func all[T any](fetch func(token string) ([]T, string, error)) ([]T, error) {
	var out []T
	token := ""
	for range maxPages {
		items, next, err := fetch(token)
		if err != nil {
			return nil, err
		}
		out = append(out, items...)
		if next == "" {
			return out, nil
		}
		token = next
	}
	return nil, errTooManyPages
}

// planData is what the plan's views read.
type planData struct {
	measures  []*mpb.Measure
	actors    []*mpb.Actor
	adoptions []*mpb.Adoption
	report    *mpb.GetAdoptionReportResponse
}

func fetchPlan(ctx context.Context, c mpb.MeasureServiceClient, withAdoptions bool) (*planData, error) {
	d := &planData{}
	g, ctx := errgroup.WithContext(ctx)
	g.Go(func() (err error) {
		d.measures, err = all(func(token string) ([]*mpb.Measure, string, error) {
			r, err := c.ListMeasures(ctx, &mpb.ListMeasuresRequest{PageSize: pageSize, PageToken: token})
			return r.GetMeasures(), r.GetNextPageToken(), err
		})
		return err
	})
	g.Go(func() (err error) {
		d.actors, err = listActors(ctx, c)
		return err
	})
	if withAdoptions {
		g.Go(func() (err error) {
			d.adoptions, err = all(func(token string) ([]*mpb.Adoption, string, error) {
				r, err := c.ListAdoptions(ctx, &mpb.ListAdoptionsRequest{Parent: "measures/-", PageSize: pageSize, PageToken: token})
				return r.GetAdoptions(), r.GetNextPageToken(), err
			})
			return err
		})
	}
	g.Go(func() (err error) {
		d.report, err = c.GetAdoptionReport(ctx, &mpb.GetAdoptionReportRequest{})
		return err
	})
	return d, g.Wait()
}

func listActors(ctx context.Context, c mpb.MeasureServiceClient) ([]*mpb.Actor, error) {
	return all(func(token string) ([]*mpb.Actor, string, error) {
		r, err := c.ListActors(ctx, &mpb.ListActorsRequest{PageSize: pageSize, PageToken: token})
		return r.GetActors(), r.GetNextPageToken(), err
	})
}

// measureData is what a measure's page reads. The indicators fail on
// their own: the rest of the page stands without them.
type measureData struct {
	measure   *mpb.Measure
	actors    []*mpb.Actor
	adoptions []*mpb.Adoption
	timeline  []*mpb.TimelineEntry
	// indicators with their value for period (by indicator name).
	indicators   []*mpb.Indicator
	values       map[string]*mpb.IndicatorValue
	indicatorErr error
}

func fetchMeasure(ctx context.Context, c mpb.MeasureServiceClient, name, period string) (*measureData, error) {
	d := &measureData{}
	r, err := c.GetMeasure(ctx, &mpb.GetMeasureRequest{Name: name})
	if err != nil {
		return nil, err
	}
	d.measure = r.GetMeasure()
	g, ctx := errgroup.WithContext(ctx)
	g.Go(func() (err error) {
		d.actors, err = listActors(ctx, c)
		return err
	})
	g.Go(func() (err error) {
		d.adoptions, err = all(func(token string) ([]*mpb.Adoption, string, error) {
			r, err := c.ListAdoptions(ctx, &mpb.ListAdoptionsRequest{Parent: name, PageSize: pageSize, PageToken: token})
			return r.GetAdoptions(), r.GetNextPageToken(), err
		})
		return err
	})
	g.Go(func() (err error) {
		d.timeline, err = all(func(token string) ([]*mpb.TimelineEntry, string, error) {
			r, err := c.GetMeasureTimeline(ctx, &mpb.GetMeasureTimelineRequest{Name: name, PageSize: pageSize, PageToken: token})
			return r.GetEntries(), r.GetNextPageToken(), err
		})
		return err
	})
	g.Go(func() error {
		d.indicators, d.values, d.indicatorErr = fetchIndicators(ctx, c, name, period)
		return nil
	})
	return d, g.Wait()
}

// fetchIndicators reads a measure's indicators and their values for period.
func fetchIndicators(ctx context.Context, c mpb.MeasureServiceClient, measure, period string) ([]*mpb.Indicator, map[string]*mpb.IndicatorValue, error) {
	indicators, err := all(func(token string) ([]*mpb.Indicator, string, error) {
		r, err := c.ListIndicators(ctx, &mpb.ListIndicatorsRequest{Parent: measure, PageSize: pageSize, PageToken: token})
		return r.GetIndicators(), r.GetNextPageToken(), err
	})
	if err != nil {
		return nil, nil, err
	}
	values := make(map[string]*mpb.IndicatorValue, len(indicators))
	var mu sync.Mutex
	g, ctx := errgroup.WithContext(ctx)
	for _, ind := range indicators {
		g.Go(func() error {
			r, err := c.GetIndicatorValues(ctx, &mpb.GetIndicatorValuesRequest{Name: ind.GetName(), Periods: []string{period}})
			if err != nil {
				return err
			}
			mu.Lock()
			defer mu.Unlock()
			for _, v := range r.GetValues() {
				values[ind.GetName()] = v
			}
			return nil
		})
	}
	return indicators, values, g.Wait()
}

// educationData is what the education views read; each part fails on its
// own, so one missing scope or slow call leaves the rest on the page.
type educationData struct {
	offers       []*edu.Offer
	offersErr    error
	providers    []*edu.Provider
	duplicates   []*edu.DuplicatePair
	duplicateErr error
	referrals    []*edu.Referral
	referralErr  error
	gaps         []*edu.SupplyGap
	gapErr       error
}

func fetchEducation(ctx context.Context, c edu.EducationServiceClient, withDuplicates bool) *educationData {
	d := &educationData{}
	var g errgroup.Group
	g.Go(func() error {
		d.offers, d.offersErr = all(func(token string) ([]*edu.Offer, string, error) {
			r, err := c.ListOffers(ctx, &edu.ListOffersRequest{PageSize: pageSize, PageToken: token,
				OrderBy: edu.OfferOrder_OFFER_ORDER_MUNICIPALITY})
			return r.GetOffers(), r.GetNextPageToken(), err
		})
		if d.offersErr == nil {
			// Provider names are a nicety: without them the IDs show.
			d.providers, _ = all(func(token string) ([]*edu.Provider, string, error) {
				r, err := c.ListProviders(ctx, &edu.ListProvidersRequest{PageSize: pageSize, PageToken: token})
				return r.GetProviders(), r.GetNextPageToken(), err
			})
		}
		return nil
	})
	if withDuplicates {
		g.Go(func() error {
			r, err := c.GetDuplicateReport(ctx, &edu.GetDuplicateReportRequest{})
			d.duplicates, d.duplicateErr = r.GetPairs(), err
			return nil
		})
		g.Go(func() error {
			r, err := c.GetSupplyGapReport(ctx, &edu.GetSupplyGapReportRequest{})
			d.gaps, d.gapErr = r.GetGaps(), err
			return nil
		})
	}
	g.Go(func() error {
		d.referrals, d.referralErr = all(func(token string) ([]*edu.Referral, string, error) {
			r, err := c.ListReferrals(ctx, &edu.ListReferralsRequest{Parent: "offers/-", PageSize: pageSize, PageToken: token})
			return r.GetReferrals(), r.GetNextPageToken(), err
		})
		return nil
	})
	_ = g.Wait()
	return d
}

// labourData is what the labour views read.
type labourData struct {
	funnel       *lab.GetFunnelReportResponse
	funnelErr    error
	pilots       []*lab.PilotProject
	pilotErr     error
	orientation  []*lab.OrientationEvent
	orientErr    error
	withDetails  bool
	unavailable  bool
	notConnected bool
}

func fetchLabour(ctx context.Context, c lab.LabourServiceClient, process string, withDetails bool) *labourData {
	d := &labourData{withDetails: withDetails}
	var g errgroup.Group
	g.Go(func() error {
		d.funnel, d.funnelErr = c.GetFunnelReport(ctx, &lab.GetFunnelReportRequest{Process: process})
		return nil
	})
	if withDetails {
		g.Go(func() error {
			d.pilots, d.pilotErr = all(func(token string) ([]*lab.PilotProject, string, error) {
				r, err := c.ListPilotProjects(ctx, &lab.ListPilotProjectsRequest{PageSize: pageSize, PageToken: token})
				return r.GetPilots(), r.GetNextPageToken(), err
			})
			return nil
		})
		g.Go(func() error {
			d.orientation, d.orientErr = all(func(token string) ([]*lab.OrientationEvent, string, error) {
				r, err := c.ListOrientationEvents(ctx, &lab.ListOrientationEventsRequest{PageSize: pageSize, PageToken: token})
				return r.GetOrientationEvents(), r.GetNextPageToken(), err
			})
			return nil
		})
	}
	_ = g.Wait()
	// The service answering nothing at all reads as "no data yet".
	down := func(err error) bool {
		switch status.Code(err) {
		case codes.Unavailable, codes.Unimplemented, codes.DeadlineExceeded:
			return true
		}
		return false
	}
	d.unavailable = down(d.funnelErr) && (!withDetails || (down(d.pilotErr) && down(d.orientErr)))
	return d
}
