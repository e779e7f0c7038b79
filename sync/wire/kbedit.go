package wire

import "github.com/sportello/sportello"

// HistoryResponse is every saved version of an entry of the knowledge base
// or of the directory, oldest first (GET /v1/kb/{id}/history,
// GET /v1/directory/{id}/history).
type HistoryResponse struct {
	Versions []sportello.EntryVersion `json:"versions"`
}

// ImportResponse says what an import of the catalogue did (POST
// /v1/catalog/import): how many entries it created, updated, left as they
// were, by kind ("kb", "directory").
type ImportResponse struct {
	Created   map[string]int `json:"created"`
	Updated   map[string]int `json:"updated"`
	Unchanged map[string]int `json:"unchanged"`
	// Retired counts the entries an import with retire_missing retired.
	Retired map[string]int `json:"retired,omitempty"`
}

// MaxImportBytes bounds the body of an import: a city's whole catalogue.
const MaxImportBytes = 32 << 20
