package client

import (
	"context"
	"io"
	"net/http"
	"net/url"

	"github.com/sportello/sportello"
)

// maxReportBytes bounds an exported report read from syncd.
const maxReportBytes = 64 << 20

var _ sportello.ReportService = (*Client)(nil)

// Report returns the daily or monthly report of date with its breakdowns
// per operator and per service (supervisors and admins; others get
// EFORBIDDEN).
func (c *Client) Report(ctx context.Context, period sportello.ReportPeriod, date string) (*sportello.Report, error) {
	var r sportello.Report
	// The desktop shows the breakdowns per operator and per service.
	q := url.Values{"period": {string(period)}, "date": {date}, "format": {"json"}, "breakdown": {"all"}}
	if err := c.do(ctx, http.MethodGet, "/v1/reports?"+q.Encode(), nil, &r); err != nil {
		return nil, err
	}
	return &r, nil
}

// ExportReport returns the report of date as syncd exports it: a CSV or
// a PDF file's bytes, with the breakdowns per operator and per service.
func (c *Client) ExportReport(ctx context.Context, period sportello.ReportPeriod, date, format, lang string) ([]byte, error) {
	q := url.Values{"period": {string(period)}, "date": {date}, "format": {format}, "breakdown": {"all"}}
	if lang != "" {
		q.Set("lang", lang)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.base+"/v1/reports?"+q.Encode(), nil)
	if err != nil {
		return nil, sportello.Errorf(sportello.EINVALID, "bad syncd address %q", c.base)
	}
	if token := c.Token(); token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := c.HTTP.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, c.unreachable()
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxReportBytes))
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, c.unreachable()
	}
	if resp.StatusCode != http.StatusOK {
		return nil, responseError(resp, data)
	}
	return data, nil
}
