package client

import (
	"context"
	"io"
	"net/http"
	"net/url"

	"github.com/sportello/sportello"
)

var _ sportello.ReplyService = (*Client)(nil)

// Reply sends a reply to a case's citizen straight through syncd: like a
// case action it needs syncd's answer (the relay may refuse the email),
// so it is not queued while syncd is unreachable. The reply carries an id
// (r.ID, or a new UUIDv7), so a resend after a lost answer is sent and
// recorded once.
func (c *Client) Reply(ctx context.Context, caseID string, r sportello.ReplyRequest) (*sportello.ReplyResult, error) {
	if caseID == "" {
		return nil, sportello.Errorf(sportello.EINVALID, "name the case")
	}
	if r.ID == "" {
		r.ID = newID()
	}
	var res sportello.ReplyResult
	if err := c.do(ctx, http.MethodPost, "/v1/cases/"+url.PathEscape(caseID)+"/replies", r, &res); err != nil {
		return nil, err
	}
	return &res, nil
}

// maxLetterBytes bounds a letter's PDF.
const maxLetterBytes = 16 << 20

// LetterPDF fetches the PDF of a letter reply recorded on a case (the
// newest one when replyID is empty).
func (c *Client) LetterPDF(ctx context.Context, caseID, replyID string) ([]byte, error) {
	if caseID == "" {
		return nil, sportello.Errorf(sportello.EINVALID, "name the case")
	}
	path := "/v1/cases/" + url.PathEscape(caseID) + "/letter.pdf"
	if replyID != "" {
		path += "?reply=" + url.QueryEscape(replyID)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.base+path, nil)
	if err != nil {
		return nil, sportello.Errorf(sportello.EINVALID, "bad syncd address %q", c.base)
	}
	req.Header.Set("Accept", "application/pdf")
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
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxLetterBytes))
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
