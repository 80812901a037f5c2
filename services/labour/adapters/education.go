package adapters

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/integrationsplan/integrationsplan/platform/principal"
	educationv1 "github.com/integrationsplan/integrationsplan/proto/integration/education/v1"
	"github.com/integrationsplan/integrationsplan/services/labour/domain"
)

// Education is what the labour service asks of the education service.
type Education interface {
	// BestOffer returns the ID of the offer education ranks first for the
	// participant of a case that owner holds.
	BestOffer(ctx context.Context, owner, participant string) (string, error)
	// CreateReferral refers the participant of a case that owner holds to
	// the offer and returns the referral's ID and status. A repeated call
	// with the same requestID returns the first result instead of referring
	// twice.
	CreateReferral(ctx context.Context, owner, offer, participant, requestID string) (string, domain.CourseStatus, error)
}

// ServicePartner is the partner name of the principal labour signs for its
// own calls to education.
const ServicePartner = "service:labour"

// educationScopes are the scopes of the RPCs labour calls, read from the
// education proto's declarations, so they follow a change there.
var educationScopes = []string{
	principal.RequiredScope(educationv1.EducationService_MatchOffers_FullMethodName),
	principal.RequiredScope(educationv1.EducationService_CreateReferral_FullMethodName),
}

type ownerKey struct{}

// EducationPrincipal is who labour is on a call to education: the service
// itself, acting for the organisation that owns the case (set by the
// EducationClient's methods), so education sees who calls and for whom.
// It acts for no provider: education's provider rule does not restrict it.
func EducationPrincipal(ctx context.Context) principal.Principal {
	owner, _ := ctx.Value(ownerKey{}).(string)
	return principal.Principal{Partner: ServicePartner, Scopes: educationScopes, ActsFor: principal.ActsFor{Organisation: owner}}
}

// RefusedError means education answered and said no; retrying the same
// request cannot help. Every other error is worth a retry.
type RefusedError struct {
	Code    codes.Code
	Message string
}

func (e *RefusedError) Error() string { return e.Code.String() + ": " + e.Message }

// IsRefused reports whether err is a refusal by education.
func IsRefused(err error) bool {
	var r *RefusedError
	return errors.As(err, &r)
}

// EducationClient calls the education service over gRPC, each call bounded
// by a deadline so a slow service cannot hold a worker.
type EducationClient struct {
	client  educationv1.EducationServiceClient
	timeout time.Duration
}

// NewEducationClient returns a client over conn; timeout bounds each call.
func NewEducationClient(conn grpc.ClientConnInterface, timeout time.Duration) *EducationClient {
	return &EducationClient{client: educationv1.NewEducationServiceClient(conn), timeout: timeout}
}

// BestOffer implements Education.
func (c *EducationClient) BestOffer(ctx context.Context, owner, participant string) (string, error) {
	ctx, cancel := context.WithTimeout(context.WithValue(ctx, ownerKey{}, owner), c.timeout)
	defer cancel()
	resp, err := c.client.MatchOffers(ctx, &educationv1.MatchOffersRequest{Participant: "participants/" + participant, Limit: 1})
	if err != nil {
		return "", classify("MatchOffers", err)
	}
	if len(resp.GetMatches()) == 0 {
		return "", &RefusedError{Code: codes.FailedPrecondition, Message: fmt.Sprintf("no fitting offer (%d excluded)", resp.GetExcludedCount())}
	}
	id, ok := strings.CutPrefix(resp.GetMatches()[0].GetOffer().GetName(), "offers/")
	if !ok {
		return "", fmt.Errorf("education: MatchOffers returned offer name %q", resp.GetMatches()[0].GetOffer().GetName())
	}
	return id, nil
}

// CreateReferral implements Education.
func (c *EducationClient) CreateReferral(ctx context.Context, owner, offer, participant, requestID string) (string, domain.CourseStatus, error) {
	ctx, cancel := context.WithTimeout(context.WithValue(ctx, ownerKey{}, owner), c.timeout)
	defer cancel()
	resp, err := c.client.CreateReferral(ctx, &educationv1.CreateReferralRequest{
		Parent: "offers/" + offer, Participant: "participants/" + participant, RequestId: requestID,
	})
	if err != nil {
		return "", 0, classify("CreateReferral", err)
	}
	_, id, ok := strings.Cut(resp.GetReferral().GetName(), "/referrals/")
	if !ok {
		return "", 0, fmt.Errorf("education: CreateReferral returned referral name %q", resp.GetReferral().GetName())
	}
	return id, domain.CourseStatus(resp.GetReferral().GetStatus()), nil
}

// classify turns education's answer into a refusal or a retryable error.
// UNAUTHENTICATED is retried: it means education's SERVICE_KEYS do not
// accept labour's signing key or its scopes (a deployment or key rotation
// not finished), not that the referral is wrong, so the referral waits
// until it is fixed.
func classify(method string, err error) error {
	st, _ := status.FromError(err)
	switch st.Code() {
	case codes.InvalidArgument, codes.NotFound, codes.AlreadyExists, codes.FailedPrecondition,
		codes.PermissionDenied, codes.OutOfRange, codes.Unimplemented:
		return &RefusedError{Code: st.Code(), Message: st.Message()}
	}
	return fmt.Errorf("education: %s: %w", method, err)
}
