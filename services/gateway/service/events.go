package service

import (
	"context"
	"errors"
	"fmt"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/metadata"
	"google.golang.org/protobuf/types/known/anypb"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/integrationsplan/integrationsplan/platform/apierr"
	gatewayv1 "github.com/integrationsplan/integrationsplan/proto/integration/gateway/v1"
	"github.com/integrationsplan/integrationsplan/services/gateway/auth"
	"github.com/integrationsplan/integrationsplan/services/gateway/events"
)

// typeURLPrefix makes a CloudEvents type (a full message name) a type URL.
const typeURLPrefix = "type.googleapis.com/"

// eventServer serves integration.gateway.v1.EventService. The guard has
// authenticated the partner, checked events.read and its rate limit.
type eventServer struct {
	gatewayv1.UnimplementedEventServiceServer
	source    *events.Source
	heartbeat time.Duration
	// stopping ends every subscription when the gateway shuts down, so
	// the graceful stop does not wait for them.
	stopping context.Context
}

// Subscribe streams the requested services' events. Each service needs the
// caller's <service>.read scope.
func (s *eventServer) Subscribe(req *gatewayv1.SubscribeRequest, ss grpc.ServerStreamingServer[gatewayv1.SubscribeResponse]) error {
	ctx := ss.Context()
	p, ok := auth.FromContext(ctx)
	if !ok {
		return errors.New("gateway: subscription without a partner")
	}
	r := events.Request{Services: req.GetServices(), Start: req.GetStartSequences(), Types: req.GetEventTypes(),
		Subject: req.GetSubjectFilter()}
	if req.StartTime != nil {
		if err := req.GetStartTime().CheckValid(); err != nil {
			return apierr.Invalid("start_time", "not a valid time: %v", err)
		}
		r.StartTime = req.GetStartTime().AsTime()
	}
	if err := s.source.Validate(r); err != nil {
		return err
	}
	if err := readable(p, r.Services); err != nil {
		return err
	}
	var err error
	if r.Resume, err = events.ParseToken(req.GetResumeToken()); err != nil {
		return apierr.Invalid("resume_token", "%v", err)
	}
	sub, err := s.source.Subscribe(ctx, r)
	if err != nil {
		return err
	}
	defer sub.Close()
	// The header tells the caller the subscription stands (the JSON/SSE
	// side answers 200 only then).
	if err := ss.SendHeader(metadata.MD{}); err != nil {
		return err
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	stop := context.AfterFunc(s.stopping, cancel)
	defer stop()
	for {
		waitCtx, waitCancel := context.WithTimeout(ctx, s.heartbeat)
		e, err := sub.Next(waitCtx)
		waitCancel()
		switch {
		case err == nil:
			if err := ss.Send(&gatewayv1.SubscribeResponse{Kind: &gatewayv1.SubscribeResponse_Event{Event: toProto(e)}}); err != nil {
				return err
			}
		case s.stopping.Err() != nil:
			return &apierr.Error{Kind: apierr.KindUnavailable, RetryAfter: time.Second,
				Message: "the gateway is shutting down; resume with the last resume_token"}
		case ctx.Err() != nil:
			return ctx.Err()
		case errors.Is(err, context.DeadlineExceeded):
			if err := ss.Send(&gatewayv1.SubscribeResponse{Kind: &gatewayv1.SubscribeResponse_Heartbeat{
				Heartbeat: &gatewayv1.Heartbeat{Time: timestamppb.Now()}}}); err != nil {
				return err
			}
		default:
			return &apierr.Error{Kind: apierr.KindUnavailable, RetryAfter: time.Second,
				Message: "the event stream was interrupted; resume with the last resume_token"}
		}
	}
}

// readable refuses services whose events the partner may not see: it needs
// <service>.read for each.
func readable(p *auth.Partner, services []string) error {
	for _, svc := range services {
		if scope := svc + ".read"; !p.HasScope(scope) {
			return &apierr.Error{Kind: apierr.KindPermissionDenied, Reason: "MISSING_SCOPE", Metadata: map[string]string{"scope": scope},
				Message: fmt.Sprintf("partner %s lacks the scope %s that the events of %s require", p.ID, scope, svc)}
		}
	}
	return nil
}

func toProto(e events.Event) *gatewayv1.Event {
	pe := &gatewayv1.Event{
		Service: e.Service, Stream: e.Stream, Sequence: e.Sequence, Subject: e.Subject,
		Id: e.ID, Type: e.Type, Source: e.Source,
		Payload:     &anypb.Any{TypeUrl: typeURLPrefix + e.Type, Value: e.Data},
		ResumeToken: e.ResumeToken,
	}
	if !e.Time.IsZero() {
		pe.Time = timestamppb.New(e.Time)
	}
	return pe
}
