package wire

import "github.com/sportello/sportello"

// CitizensResponse is the answer to GET /v1/citizens?q=: the citizens
// found, at most sportello.MaxCitizenSearch.
type CitizensResponse struct {
	Citizens []sportello.Citizen `json:"citizens"`
}
