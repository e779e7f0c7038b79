package sportello

import "context"

// ServiceCatalog lists the service catalogue a desktop holds: every
// active service of the knowledge base (a retired one is not kept), so
// that a wrap-up or a new case can name any of them as its category.
type ServiceCatalog interface {
	// Services returns the catalogue's services, by title.
	Services(ctx context.Context) ([]KBEntry, error)
}
