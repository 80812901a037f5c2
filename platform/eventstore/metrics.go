package eventstore

import (
	"github.com/prometheus/client_golang/prometheus"
)

// metrics of one store; nil-safe so a store without a registry works.
type metrics struct {
	appendSeconds *prometheus.HistogramVec
	conflicts     prometheus.Counter
	applied       prometheus.Gauge
	lag           prometheus.Gauge
	undecodable   prometheus.Counter
}

func newMetrics(service string, reg prometheus.Registerer) (*metrics, error) {
	labels := prometheus.Labels{"service": service}
	m := &metrics{
		appendSeconds: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "integrationsplan_eventstore_append_seconds", ConstLabels: labels,
			Help:    "Time to append an event, until the server acknowledged it (synced to disk).",
			Buckets: []float64{.0005, .001, .002, .005, .01, .025, .05, .1, .25, 1},
		}, []string{"outcome"}),
		conflicts: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "integrationsplan_eventstore_conflicts_total", ConstLabels: labels,
			Help: "Appends refused because the aggregate changed since the expected version.",
		}),
		applied: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "integrationsplan_readmodel_applied_sequence", ConstLabels: labels,
			Help: "Stream sequence of the last event the read model applied.",
		}),
		lag: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "integrationsplan_readmodel_lag_events", ConstLabels: labels,
			Help: "Events in the stream the read model has not applied yet.",
		}),
		undecodable: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "integrationsplan_readmodel_undecodable_events_total", ConstLabels: labels,
			Help: "Events the read model skipped because this version cannot decode them.",
		}),
	}
	if reg != nil {
		for _, c := range []prometheus.Collector{m.appendSeconds, m.conflicts, m.applied, m.lag, m.undecodable} {
			if err := reg.Register(c); err != nil {
				return nil, err
			}
		}
	}
	return m, nil
}
