package service

import (
	"context"
	"time"

	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/integrationsplan/integrationsplan/platform/apierr"
	gatewayv1 "github.com/integrationsplan/integrationsplan/proto/integration/gateway/v1"
	"github.com/integrationsplan/integrationsplan/services/gateway/audit"
)

// auditServer serves integration.gateway.v1.AuditService from the
// gateway's own stream. The guard has authenticated the partner, checked
// audit.read and its rate limit.
type auditServer struct {
	gatewayv1.UnimplementedAuditServiceServer
	recorder *audit.Recorder
}

func (s *auditServer) ListAuditRecords(ctx context.Context, req *gatewayv1.ListAuditRecordsRequest) (*gatewayv1.ListAuditRecordsResponse, error) {
	var v apierr.Violations
	start, end := optionalTime(&v, "start_time", req.GetStartTime()), optionalTime(&v, "end_time", req.GetEndTime())
	if err := v.Err(); err != nil {
		return nil, err
	}
	q, err := audit.NewQuery(req.GetPartner(), req.GetResource(), req.GetOutcome(), start, end, req.GetPageSize(), req.GetPageToken())
	if err != nil {
		return nil, err
	}
	records, next, err := s.recorder.List(ctx, q)
	if err != nil {
		return nil, err
	}
	return &gatewayv1.ListAuditRecordsResponse{Records: records, NextPageToken: next}, nil
}

// optionalTime is ts as a time, zero if unset.
func optionalTime(v *apierr.Violations, field string, ts *timestamppb.Timestamp) time.Time {
	if ts == nil {
		return time.Time{}
	}
	if err := ts.CheckValid(); err != nil {
		v.Add(field, "is not a valid time")
		return time.Time{}
	}
	return ts.AsTime()
}
