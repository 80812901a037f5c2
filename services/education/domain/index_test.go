package domain_test

import (
	"math/rand/v2"
	"slices"
	"sort"
	"testing"
	"time"

	"github.com/integrationsplan/integrationsplan/services/education/domain"
)

// TestIndexedMatchEqualsFullScan: for random catalogues and participants,
// the index ranks exactly what the full scan ranks, in the same order with
// the same scores and reasons, counts the same exclusions, and lists
// exclusions the scan lists too, with the same reasons.
func TestIndexedMatchEqualsFullScan(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	c, people, n := synthetic(rng, 2000, 300)
	for i, a := range people {
		ranked, excluded := c.MatchOffers(a, n, today)
		got := c.MatchIndexed(a, n, today, 1<<30)
		scan := c.MatchScan(a, n, today, 10)
		if len(got.Ranked) != len(ranked) || got.RankedCount != len(ranked) || got.ExcludedCount != len(excluded) ||
			scan.RankedCount != len(ranked) || scan.ExcludedCount != len(excluded) {
			t.Fatalf("participant %d: indexed %d ranked, %d excluded; scan %d ranked, %d excluded",
				i, len(got.Ranked), got.ExcludedCount, len(ranked), len(excluded))
		}
		for j := range ranked {
			if got.Ranked[j].Offer != ranked[j].Offer || got.Ranked[j].Score != ranked[j].Score || !slices.Equal(got.Ranked[j].Reasons, ranked[j].Reasons) {
				t.Fatalf("participant %d, rank %d: indexed %+v, scan %+v", i, j, got.Ranked[j], ranked[j])
			}
			if j < len(scan.Ranked) && (scan.Ranked[j].Offer != ranked[j].Offer || !slices.Equal(scan.Ranked[j].Reasons, ranked[j].Reasons)) {
				t.Fatalf("participant %d, rank %d: limited scan %+v, scan %+v", i, j, scan.Ranked[j], ranked[j])
			}
		}
		byOffer := map[*domain.OfferState]domain.Match{}
		for _, m := range excluded {
			byOffer[m.Offer] = m
		}
		for _, m := range got.Excluded {
			if s, ok := byOffer[m.Offer]; !ok || !slices.Equal(s.Reasons, m.Reasons) {
				t.Fatalf("participant %d: indexed exclusion %+v, scan %+v", i, m, s)
			}
		}
	}
}

// TestIndexFollowsChangedOffers: offers that change place, levels or
// schedule move in the index, and it still ranks what the full scan ranks.
func TestIndexFollowsChangedOffers(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	c, people, n := synthetic(rng, 1000, 100)
	seq := uint64(1 << 20)
	for _, o := range c.Offers() {
		if rng.IntN(2) == 0 {
			continue
		}
		next := o.Offer
		next.Municipality = municipalities[rng.IntN(len(municipalities))]
		next.EntryLevel = domain.Level(2 + rng.IntN(3))
		next.TargetLevel = next.EntryLevel + domain.Level(rng.IntN(3))
		next.Schedule = randomSlots(rng, 1+rng.IntN(3))
		seq++
		c.ChangeOffer(next, nil, seq, today)
	}
	for i, a := range people {
		ranked, excluded := c.MatchOffers(a, n, today)
		got := c.MatchIndexed(a, n, today, 1<<30)
		if got.RankedCount != len(ranked) || got.ExcludedCount != len(excluded) {
			t.Fatalf("participant %d: indexed %d ranked, %d excluded; scan %d, %d", i, got.RankedCount, got.ExcludedCount, len(ranked), len(excluded))
		}
		for j := range ranked {
			if got.Ranked[j].Offer != ranked[j].Offer || !slices.Equal(got.Ranked[j].Reasons, ranked[j].Reasons) {
				t.Fatalf("participant %d, rank %d: indexed %+v, scan %+v", i, j, got.Ranked[j], ranked[j])
			}
		}
	}
}

// TestIndexFollowsTheLifecycle: an offer leaves the index when it runs or
// is cancelled, and the counts follow.
func TestIndexFollowsTheLifecycle(t *testing.T) {
	n, _ := domain.ParseNeighbours("backnang=aspach")
	c := domain.NewCatalogue().WithNeighbours(n)
	o := validOffer()
	c.AddOffer(o, 1, today)
	if got := c.MatchIndexed(assessment(), n, today, 10); len(got.Ranked) != 1 {
		t.Fatalf("planned offer not ranked: %+v", got)
	}
	c.ChangeOfferStatus(o.ID, domain.Open, 2, today)
	c.ChangeOfferStatus(o.ID, domain.Running, 3, today)
	if got := c.MatchIndexed(assessment(), n, today, 10); len(got.Ranked) != 0 || got.ExcludedCount != 0 {
		t.Fatalf("running offer still matched: %+v", got)
	}
}

// BenchmarkMatch matches participants against 10,000 offers (50,000
// assessed participants in the catalogue), for the API's default limit of
// 10, three ways in the same loop: with the index (what MatchOffers serves),
// with the plain full scan (the same scoring over every offer, isolating
// the index), and with the service's previous full scan (MatchOffers,
// explaining every offer in words). It reports the latency percentiles of
// each and the ratios:
//
//	go test -run '^$' -bench BenchmarkMatch -benchtime 400x ./domain/
func BenchmarkMatch(b *testing.B) {
	rng := rand.New(rand.NewPCG(7, 11))
	c, people, n := synthetic(rng, 10_000, 50_000)
	var indexed, scan, previous []time.Duration
	ranked := 0
	i := 0
	for b.Loop() {
		a := people[(i*7919)%len(people)]
		i++
		t0 := time.Now()
		m := c.MatchIndexed(a, n, today, 10)
		t1 := time.Now()
		r := c.MatchScan(a, n, today, 10)
		t2 := time.Now()
		old, _ := c.MatchOffers(a, n, today)
		t3 := time.Now()
		indexed, scan, previous = append(indexed, t1.Sub(t0)), append(scan, t2.Sub(t1)), append(previous, t3.Sub(t2))
		if len(old) != m.RankedCount {
			b.Fatalf("indexed %d, previous %d", m.RankedCount, len(old))
		}
		if m.RankedCount != r.RankedCount || m.ExcludedCount != r.ExcludedCount {
			b.Fatalf("indexed %d/%d, scan %d/%d", m.RankedCount, m.ExcludedCount, r.RankedCount, r.ExcludedCount)
		}
		ranked += r.RankedCount
	}
	pct := func(d []time.Duration, p float64) float64 {
		sort.Slice(d, func(i, j int) bool { return d[i] < d[j] })
		return float64(d[min(len(d)-1, int(p*float64(len(d))))].Nanoseconds())
	}
	ip50, ip99, sp50, sp99 := pct(indexed, 0.50), pct(indexed, 0.99), pct(scan, 0.50), pct(scan, 0.99)
	b.ReportMetric(ip50, "index-p50-ns")
	b.ReportMetric(ip99, "index-p99-ns")
	b.ReportMetric(sp50, "scan-p50-ns")
	b.ReportMetric(sp99, "scan-p99-ns")
	b.ReportMetric(sp50/ip50, "speedup-p50-x")
	b.ReportMetric(sp99/ip99, "speedup-p99-x")
	pp50, pp99 := pct(previous, 0.50), pct(previous, 0.99)
	b.ReportMetric(pp50, "previous-p50-ns")
	b.ReportMetric(pp99, "previous-p99-ns")
	b.ReportMetric(pp50/ip50, "speedup-vs-previous-p50-x")
	b.ReportMetric(pp99/ip99, "speedup-vs-previous-p99-x")
	b.ReportMetric(float64(ranked)/float64(i), "ranked/match")
}
