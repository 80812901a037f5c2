package app

import (
	"time"

	"github.com/integrationsplan/integrationsplan/services/measures/domain"
)

// MeasureView is a measure as a caller sees it.
type MeasureView struct {
	domain.Measure
	Version    uint64
	CreateTime time.Time
	UpdateTime time.Time
}

func measureView(m *domain.MeasureState) MeasureView {
	return MeasureView{Measure: m.Measure, Version: m.Version, CreateTime: m.CreateTime, UpdateTime: m.UpdateTime}
}

// ActorView is an actor as a caller sees it.
type ActorView struct {
	domain.Actor
	Version    uint64
	CreateTime time.Time
}

func actorView(a *domain.ActorState) ActorView {
	return ActorView{Actor: a.Actor, Version: a.Version, CreateTime: a.CreateTime}
}

// AdoptionView is one actor's adoption of one measure.
type AdoptionView struct {
	Measure domain.MeasureID
	Actor   domain.ActorID
	domain.Adoption
}

func adoptionView(e domain.AdoptionEntry) AdoptionView {
	return AdoptionView{Measure: e.Measure.ID(), Actor: e.Actor.ID, Adoption: e.Adoption}
}

func indicatorView(st *domain.IndicatorState) IndicatorView {
	return IndicatorView{Indicator: st.Indicator, Version: st.Version, CreateTime: st.CreateTime}
}
