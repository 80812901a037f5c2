package ports

import (
	"context"
	"strings"

	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/integrationsplan/integrationsplan/platform/apierr"
	"github.com/integrationsplan/integrationsplan/platform/eventstore"
	"github.com/integrationsplan/integrationsplan/platform/requestid"
	pb "github.com/integrationsplan/integrationsplan/proto/integration/measures/v1"
	"github.com/integrationsplan/integrationsplan/services/measures/adapters"
	"github.com/integrationsplan/integrationsplan/services/measures/app"
	"github.com/integrationsplan/integrationsplan/services/measures/domain"
)

const indicatorsSegment = "/indicators/"

func indicatorName(k domain.IndicatorKey) string {
	return measureName(k.Measure) + indicatorsSegment + string(k.ID)
}

func parseIndicatorName(field, name string) (domain.IndicatorKey, error) {
	m, i, ok := strings.Cut(name, indicatorsSegment)
	if ok {
		mid, err1 := parseMeasureName(field, m)
		iid, err2 := domain.ParseIndicatorID(i)
		if err1 == nil && err2 == nil {
			return domain.IndicatorKey{Measure: mid, ID: iid}, nil
		}
	}
	return domain.IndicatorKey{}, apierr.Invalid(field, "must be an indicator name like measures/m-1-3/indicators/angebote-im-katalog, got %q", name)
}

func indicatorToProto(v app.IndicatorView) *pb.Indicator {
	out := &pb.Indicator{
		Name: indicatorName(v.Key()), DisplayName: v.DisplayName, Description: v.Description, Unit: v.Unit,
		BaselineValue: v.Baseline, BaselineDate: v.BaselineDate, TargetValue: v.Target, TargetDate: v.TargetDate,
		RollUp: pb.IndicatorRollUp(v.RollUp), CreateTime: timestamppb.New(v.CreateTime), Etag: eventstore.FormatVersion(v.Version),
	}
	if v.Actor != "" {
		out.Actor = actorName(v.Actor)
	}
	if v.Rule != nil {
		out.Rule = adapters.RuleToProto(v.Rule)
	}
	return out
}

// indicatorFromProto reads an indicator as a caller wrote it; field names in
// errors are those of the request.
func indicatorFromProto(parent, id string, in *pb.Indicator) (domain.Indicator, error) {
	var v apierr.Violations
	mid, err := parseMeasureName("parent", parent)
	v.Merge("", err)
	out := domain.Indicator{
		Measure: mid, ID: domain.IndicatorID(id), DisplayName: in.GetDisplayName(), Description: in.GetDescription(),
		Unit: in.GetUnit(), Baseline: in.GetBaselineValue(), BaselineDate: in.GetBaselineDate(),
		Target: in.GetTargetValue(), TargetDate: in.GetTargetDate(), RollUp: domain.RollUp(in.GetRollUp()),
	}
	if in.GetActor() != "" {
		aid, err := parseActorName("indicator.actor", in.GetActor())
		v.Merge("", err)
		out.Actor = aid
	}
	if r := in.GetRule(); r != nil {
		terms, err := domain.ParseTerms(adapters.RawTermsFromProto(r))
		v.Merge("indicator.rule", err)
		out.Rule = &domain.Rule{Terms: terms, Cumulative: r.GetCumulative()}
	}
	return out, v.Err()
}

func valueToProto(v app.ValueView) *pb.IndicatorValue {
	out := &pb.IndicatorValue{
		Indicator: indicatorName(v.Key), Period: v.Period.String(), HasValue: v.Has, Value: v.Value.Value,
		ByGroup: v.ByGroup, TargetValue: v.Target, TargetDate: v.TargetDate,
	}
	if v.Manual != nil {
		out.Source, out.AsOf = v.Manual.Source, v.Manual.AsOf
	}
	return out
}

func rollUpRowToProto(r domain.RollUpRow) *pb.IndicatorRollUpRow {
	group := "plan"
	if r.TopicField != domain.TopicFieldUnspecified {
		group = pb.TopicField(r.TopicField).String()
	}
	return &pb.IndicatorRollUpRow{
		Group: group, DisplayName: r.DisplayName, Unit: r.Unit, RollUp: pb.IndicatorRollUp(r.RollUp),
		Indicators: int32(r.Indicators), WithValue: int32(r.WithValue), HasValue: r.Has, Value: r.Value, TargetValue: r.Target,
	}
}

func (s *Server) CreateIndicator(ctx context.Context, req *pb.CreateIndicatorRequest) (*pb.CreateIndicatorResponse, error) {
	r, err := requestid.From(req)
	if err != nil {
		return nil, err
	}
	if req.GetIndicator() == nil {
		return nil, invalidMissing("indicator")
	}
	in, err := indicatorFromProto(req.GetParent(), req.GetIndicatorId(), req.GetIndicator())
	if err != nil {
		return nil, err
	}
	v, err := s.app.CreateIndicator(ctx, r, in)
	if err != nil {
		return nil, indicatorFields(err)
	}
	return &pb.CreateIndicatorResponse{Indicator: indicatorToProto(v)}, nil
}

// indicatorFields prefixes the domain's field names with "indicator.",
// except indicator_id and update_mask, which are fields of the request itself.
func indicatorFields(err error) error {
	e, ok := apierr.As(err)
	if !ok || e.Kind != apierr.KindInvalidArgument {
		return err
	}
	var v apierr.Violations
	for _, fv := range e.Violations {
		if fv.Field != "indicator_id" && fv.Field != "update_mask" {
			fv.Field = "indicator." + fv.Field
		}
		v = append(v, fv)
	}
	return v.Err()
}

func (s *Server) UpdateIndicator(ctx context.Context, req *pb.UpdateIndicatorRequest) (*pb.UpdateIndicatorResponse, error) {
	in := req.GetIndicator()
	if in == nil {
		return nil, invalidMissing("indicator")
	}
	k, err := parseIndicatorName("indicator.name", in.GetName())
	if err != nil {
		return nil, err
	}
	i, err := indicatorFromProto(measureName(k.Measure), string(k.ID), in)
	if err != nil {
		return nil, err
	}
	v, err := s.app.UpdateIndicator(ctx, k, app.IndicatorChange{Indicator: i, Fields: req.GetUpdateMask().GetPaths(), Etag: in.GetEtag()})
	if err != nil {
		return nil, indicatorFields(err)
	}
	return &pb.UpdateIndicatorResponse{Indicator: indicatorToProto(v)}, nil
}

func (s *Server) DeleteIndicator(ctx context.Context, req *pb.DeleteIndicatorRequest) (*pb.DeleteIndicatorResponse, error) {
	k, err := parseIndicatorName("name", req.GetName())
	if err != nil {
		return nil, err
	}
	if err := s.app.DeleteIndicator(ctx, k, req.GetEtag()); err != nil {
		return nil, err
	}
	return &pb.DeleteIndicatorResponse{}, nil
}

func (s *Server) GetIndicator(ctx context.Context, req *pb.GetIndicatorRequest) (*pb.GetIndicatorResponse, error) {
	k, err := parseIndicatorName("name", req.GetName())
	if err != nil {
		return nil, err
	}
	v, err := s.app.GetIndicator(ctx, k)
	if err != nil {
		return nil, err
	}
	return &pb.GetIndicatorResponse{Indicator: indicatorToProto(v)}, nil
}

func (s *Server) ListIndicators(ctx context.Context, req *pb.ListIndicatorsRequest) (*pb.ListIndicatorsResponse, error) {
	var mid domain.MeasureID
	if req.GetParent() != allMeasures {
		id, err := parseMeasureName("parent", req.GetParent())
		if err != nil {
			return nil, err
		}
		mid = id
	}
	page, err := s.app.ListIndicators(ctx, mid, req.GetPageSize(), req.GetPageToken())
	if err != nil {
		return nil, err
	}
	resp := &pb.ListIndicatorsResponse{NextPageToken: page.NextToken, TotalSize: int32(page.TotalSize)}
	for _, v := range page.Items {
		resp.Indicators = append(resp.Indicators, indicatorToProto(v))
	}
	return resp, nil
}

func (s *Server) RecordIndicatorValue(ctx context.Context, req *pb.RecordIndicatorValueRequest) (*pb.RecordIndicatorValueResponse, error) {
	r, err := requestid.From(req)
	if err != nil {
		return nil, err
	}
	k, err := parseIndicatorName("name", req.GetName())
	if err != nil {
		return nil, err
	}
	// The actor of an indicator never changes, so checking it before the
	// write is safe.
	ind, err := s.app.GetIndicator(ctx, k)
	if err != nil {
		return nil, err
	}
	if ind.Actor != "" {
		if err := mayDecideFor(ctx, ind.Actor); err != nil {
			return nil, err
		}
	} else if err := mayActForAll(ctx); err != nil {
		return nil, err
	}
	v, err := s.app.RecordIndicatorValue(ctx, r, k, app.ManualEntry{
		Period: req.GetPeriod(), Value: req.GetValue(), Source: req.GetSource(), AsOf: req.GetAsOf(), Etag: req.GetEtag(),
	})
	if err != nil {
		return nil, err
	}
	return &pb.RecordIndicatorValueResponse{Value: valueToProto(v)}, nil
}

func (s *Server) GetIndicatorValues(ctx context.Context, req *pb.GetIndicatorValuesRequest) (*pb.GetIndicatorValuesResponse, error) {
	k, err := parseIndicatorName("name", req.GetName())
	if err != nil {
		return nil, err
	}
	vs, err := s.app.IndicatorValues(ctx, k, req.GetPeriods())
	if err != nil {
		return nil, err
	}
	resp := &pb.GetIndicatorValuesResponse{SourcePositions: vs.Positions}
	for _, v := range vs.Values {
		resp.Values = append(resp.Values, valueToProto(v))
	}
	return resp, nil
}

func (s *Server) GetIndicatorRollUp(ctx context.Context, req *pb.GetIndicatorRollUpRequest) (*pb.GetIndicatorRollUpResponse, error) {
	r, err := s.app.IndicatorRollUp(ctx, req.GetPeriod())
	if err != nil {
		return nil, err
	}
	resp := &pb.GetIndicatorRollUpResponse{Period: r.Period.String()}
	for _, row := range r.ByTopicField {
		resp.ByTopicField = append(resp.ByTopicField, rollUpRowToProto(row))
	}
	for _, row := range r.Plan {
		resp.Plan = append(resp.Plan, rollUpRowToProto(row))
	}
	return resp, nil
}

func (s *Server) GetImplementationReport(ctx context.Context, req *pb.GetImplementationReportRequest) (*pb.GetImplementationReportResponse, error) {
	r, err := s.app.ImplementationReport(ctx, req.GetPeriod())
	if err != nil {
		return nil, err
	}
	return &pb.GetImplementationReportResponse{Period: r.Period.String(), Csv: r.CSV, Html: r.HTML}, nil
}
