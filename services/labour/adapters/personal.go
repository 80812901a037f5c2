package adapters

import (
	"context"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/integrationsplan/integrationsplan/platform/personal"
	"github.com/integrationsplan/integrationsplan/services/labour/domain"
)

// PersonalStore keeps the service's personal data erasable, outside the
// event stream (platform/personal).
type PersonalStore = personal.Store[domain.PersonalData]

// ErrErased means the personal data was erased (or never stored).
var ErrErased = personal.ErrErased

// OpenPersonalStore creates or updates the service's personal-data streams.
func OpenPersonalStore(ctx context.Context, js jetstream.JetStream, replicas int) (*PersonalStore, error) {
	return personal.Open[domain.PersonalData](ctx, js, "labour", replicas)
}
