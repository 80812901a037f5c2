package grpcserver

import (
	"context"
	"errors"
	"log/slog"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/protoadapt"
	"google.golang.org/protobuf/types/known/durationpb"

	"github.com/integrationsplan/integrationsplan/platform/apierr"
)

// errorDomain names this system in google.rpc.ErrorInfo.
const errorDomain = "integrationsplan"

var kindCodes = map[apierr.Kind]codes.Code{
	apierr.KindInvalidArgument:    codes.InvalidArgument,
	apierr.KindNotFound:           codes.NotFound,
	apierr.KindAlreadyExists:      codes.AlreadyExists,
	apierr.KindFailedPrecondition: codes.FailedPrecondition,
	apierr.KindAborted:            codes.Aborted,
	apierr.KindPermissionDenied:   codes.PermissionDenied,
	apierr.KindUnauthenticated:    codes.Unauthenticated,
	apierr.KindResourceExhausted:  codes.ResourceExhausted,
	apierr.KindUnavailable:        codes.Unavailable,
}

// Status turns any error a handler returns into a gRPC status: apierr errors
// get their code and details, context errors their own code, and everything
// else becomes INTERNAL with a generic message (logged, never shown).
func Status(log *slog.Logger, method string, err error) error {
	if err == nil {
		return nil
	}
	if e, ok := apierr.As(err); ok {
		return fromAPIError(e).Err()
	}
	if s, ok := status.FromError(err); ok && s.Code() != codes.Unknown {
		return s.Err()
	}
	switch {
	case errors.Is(err, context.Canceled):
		return status.Error(codes.Canceled, "the call was cancelled")
	case errors.Is(err, context.DeadlineExceeded):
		return status.Error(codes.DeadlineExceeded, "the deadline passed before the call completed")
	}
	log.Error("internal error", "method", method, "error", err)
	return status.Error(codes.Internal, "internal error")
}

// Code is the gRPC code a caller gets for err (see Status), without
// building the status or logging anything.
func Code(err error) codes.Code {
	if err == nil {
		return codes.OK
	}
	if e, ok := apierr.As(err); ok {
		if c, known := kindCodes[e.Kind]; known {
			return c
		}
		return codes.Unknown // as fromAPIError
	}
	if s, ok := status.FromError(err); ok && s.Code() != codes.Unknown {
		return s.Code()
	}
	switch {
	case errors.Is(err, context.Canceled):
		return codes.Canceled
	case errors.Is(err, context.DeadlineExceeded):
		return codes.DeadlineExceeded
	}
	return codes.Internal
}

func fromAPIError(e *apierr.Error) *status.Status {
	code, ok := kindCodes[e.Kind]
	if !ok {
		code = codes.Unknown
	}
	st := status.New(code, e.Error())
	var details []protoadapt.MessageV1
	if len(e.Violations) > 0 {
		br := &errdetails.BadRequest{}
		for _, v := range e.Violations {
			br.FieldViolations = append(br.FieldViolations, &errdetails.BadRequest_FieldViolation{Field: v.Field, Description: v.Description})
		}
		details = append(details, br)
	}
	if e.Reason != "" {
		details = append(details, &errdetails.ErrorInfo{Reason: e.Reason, Domain: errorDomain, Metadata: e.Metadata})
	}
	if e.RetryAfter > 0 {
		details = append(details, &errdetails.RetryInfo{RetryDelay: durationpb.New(e.RetryAfter)})
	}
	if len(details) == 0 {
		return st
	}
	withDetails, err := st.WithDetails(details...)
	if err != nil {
		return st
	}
	return withDetails
}

func unaryErrors(log *slog.Logger) grpc.UnaryServerInterceptor {
	return func(ctx context.Context, req any, info *grpc.UnaryServerInfo, handler grpc.UnaryHandler) (any, error) {
		resp, err := handler(ctx, req)
		return resp, Status(log, info.FullMethod, err)
	}
}

func streamErrors(log *slog.Logger) grpc.StreamServerInterceptor {
	return func(srv any, ss grpc.ServerStream, info *grpc.StreamServerInfo, handler grpc.StreamHandler) error {
		return Status(log, info.FullMethod, handler(srv, ss))
	}
}
