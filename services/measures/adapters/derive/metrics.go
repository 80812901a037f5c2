package derive

import "github.com/prometheus/client_golang/prometheus"

type metrics struct {
	lag       *prometheus.GaugeVec
	applied   *prometheus.GaugeVec
	available *prometheus.GaugeVec
	events    *prometheus.CounterVec
}

func newMetrics(reg prometheus.Registerer) (*metrics, error) {
	labels := prometheus.Labels{"service": "measures"}
	m := &metrics{
		lag: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "integrationsplan_indicators_source_lag_events", ConstLabels: labels,
			Help: "Events of a source stream the derived indicators do not include yet.",
		}, []string{"stream"}),
		applied: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "integrationsplan_indicators_source_applied_sequence", ConstLabels: labels,
			Help: "Sequence of the last source event the derived indicators include.",
		}, []string{"stream"}),
		available: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "integrationsplan_indicators_source_available", ConstLabels: labels,
			Help: "1 once the source stream was found, 0 while measures waits for it.",
		}, []string{"stream"}),
		events: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "integrationsplan_indicators_source_events_total", ConstLabels: labels,
			Help: "Source events by outcome: counted, ignored (no rule reads them), duplicate (same ce-id stored again), redelivered (seen before), undecodable.",
		}, []string{"stream", "outcome"}),
	}
	if reg != nil {
		for _, c := range []prometheus.Collector{m.lag, m.applied, m.available, m.events} {
			if err := reg.Register(c); err != nil {
				return nil, err
			}
		}
	}
	return m, nil
}
