package adapters

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/integrationsplan/integrationsplan/platform/eventstore"
	educationv1 "github.com/integrationsplan/integrationsplan/proto/integration/education/v1"
	"github.com/integrationsplan/integrationsplan/services/labour/domain"
)

// ReferralUpdate is a referral status the education service reported.
type ReferralUpdate struct {
	// EventID identifies the update, for idempotent handling.
	EventID     string
	ReferralID  string
	Participant string
	Status      domain.CourseStatus
	Time        time.Time
}

// ErrNotYet means an update cannot be applied yet (its referral is still
// being recorded) and should be delivered again a little later.
var ErrNotYet = errors.New("labour: referral update arrived before its referral was recorded")

const (
	// educationDurable names labour's consumer on education's stream.
	educationDurable = "labour-course-referrals"
	// maxDeliver bounds the redeliveries of an update that stays not yet
	// applicable, so one cannot block the consumer for good.
	maxDeliver = 60
	retryDelay = time.Second
)

// FollowEducation feeds handle with the education service's referral status
// changes through a durable consumer: delivery is at least once and resumes
// where the last process stopped, so handle must be idempotent. Changes are
// delivered one at a time in stream order, so a redelivered change is never
// overtaken by a later one. It runs until ctx ends and waits for education's
// stream if it does not exist yet.
func FollowEducation(ctx context.Context, js jetstream.JetStream, log *slog.Logger, m *FollowMetrics, handle func(context.Context, ReferralUpdate) error) {
	for warned := false; ; warned = true {
		err := followEducation(ctx, js, log, m, handle)
		if ctx.Err() != nil {
			return
		}
		// Education may simply not have started yet: say so once, not every round.
		level := slog.LevelWarn
		if warned {
			level = slog.LevelDebug
		}
		log.Log(ctx, level, "cannot follow the education service's referral events yet; retrying", "error", err)
		select {
		case <-ctx.Done():
			return
		case <-time.After(2 * time.Second):
		}
	}
}

func followEducation(ctx context.Context, js jetstream.JetStream, log *slog.Logger, m *FollowMetrics, handle func(context.Context, ReferralUpdate) error) error {
	stream, err := js.Stream(ctx, eventstore.StreamName("education"))
	if err != nil {
		return err
	}
	cons, err := stream.CreateOrUpdateConsumer(ctx, jetstream.ConsumerConfig{
		Durable:     educationDurable,
		Description: "The labour service follows the course referrals of its cases",
		// A referral's status changes on its own event, or, for referrals
		// promoted from the waiting list by a capacity change, within the
		// offer's change.
		FilterSubjects: []string{
			eventstore.SubjectPrefix("education") + ".offer.*.referral_status_changed",
			eventstore.SubjectPrefix("education") + ".offer.*.offer_changed",
		},
		DeliverPolicy: jetstream.DeliverAllPolicy,
		AckPolicy:     jetstream.AckExplicitPolicy,
		AckWait:       30 * time.Second,
		MaxAckPending: 1,
		MaxDeliver:    maxDeliver,
	})
	if err != nil {
		return err
	}
	cc, err := cons.Consume(func(msg jetstream.Msg) { m.outcome(deliver(ctx, msg, log, handle), msg) })
	if err != nil {
		return err
	}
	<-ctx.Done()
	cc.Stop()
	return nil
}

func deliver(ctx context.Context, msg jetstream.Msg, log *slog.Logger, handle func(context.Context, ReferralUpdate) error) string {
	env, err := eventstore.Decode(msg)
	if err != nil {
		log.Error("skipping undecodable education event", "subject", msg.Subject(), "error", err)
		_ = msg.Term()
		return "undecodable"
	}
	for _, u := range referralUpdates(env) {
		if err := handle(ctx, u); err != nil {
			if !errors.Is(err, ErrNotYet) {
				log.Warn("education referral event not applied; it comes again", "seq", env.Seq, "error", err)
			}
			_ = msg.NakWithDelay(retryDelay)
			return "retried"
		}
	}
	_ = msg.Ack()
	return "applied"
}

// FollowMetrics counts the deliveries of labour's consumer of education's
// events by outcome (applied, retried, undecodable) and its redeliveries.
type FollowMetrics struct {
	deliveries   *prometheus.CounterVec
	redeliveries prometheus.Counter
}

// NewFollowMetrics registers the consumer's metrics on reg.
func NewFollowMetrics(reg prometheus.Registerer) (*FollowMetrics, error) {
	labels := prometheus.Labels{"consumer": educationDurable}
	m := &FollowMetrics{
		deliveries: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "integrationsplan_consumer_deliveries_total", ConstLabels: labels,
			Help: "Deliveries of another service's events to a durable consumer, by outcome: applied, retried (delivered again later), undecodable.",
		}, []string{"outcome"}),
		redeliveries: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "integrationsplan_consumer_redeliveries_total", ConstLabels: labels,
			Help: "Deliveries of an event the consumer had been given before (not acknowledged in time, or retried).",
		}),
	}
	for _, c := range []prometheus.Collector{m.deliveries, m.redeliveries} {
		if err := reg.Register(c); err != nil {
			return nil, err
		}
	}
	return m, nil
}

func (m *FollowMetrics) outcome(outcome string, msg jetstream.Msg) {
	m.deliveries.WithLabelValues(outcome).Inc()
	if md, err := msg.Metadata(); err == nil && md.NumDelivered > 1 {
		m.redeliveries.Inc()
	}
}

// referralUpdates are the referral status changes an education event
// carries: its own referral's and that of a referral it promoted from the
// waiting list, or those an offer change promoted.
func referralUpdates(env eventstore.Envelope) []ReferralUpdate {
	switch e := env.Payload.(type) {
	case *educationv1.ReferralStatusChanged:
		updates := []ReferralUpdate{{
			EventID: env.ID, ReferralID: e.GetReferralId(), Participant: e.GetParticipantId(),
			Status: domain.CourseStatus(e.GetToStatus()), Time: e.GetChangeTime().AsTime(),
		}}
		if e.GetPromotedReferralId() != "" {
			updates = append(updates, ReferralUpdate{
				EventID: env.ID + "/promoted", ReferralID: e.GetPromotedReferralId(), Participant: e.GetPromotedParticipantId(),
				Status: domain.CourseAccepted, Time: e.GetChangeTime().AsTime(),
			})
		}
		return updates
	case *educationv1.OfferChanged:
		var updates []ReferralUpdate
		participants := e.GetPromotedParticipantIds()
		for i, id := range e.GetPromotedReferralIds() {
			if i >= len(participants) {
				break
			}
			updates = append(updates, ReferralUpdate{
				EventID: fmt.Sprintf("%s/promoted/%d", env.ID, i), ReferralID: id, Participant: participants[i],
				Status: domain.CourseAccepted, Time: e.GetChangeTime().AsTime(),
			})
		}
		return updates
	}
	return nil
}
