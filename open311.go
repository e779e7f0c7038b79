package sportello

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"time"
)

// Open311Service is a kind of request that city apps file through Open311
// GeoReport v2 (syncd's /open311/v2/): its code maps to a case category and
// to the desk whose queue the case joins. A city changes the mapping in the
// store.
type Open311Service struct {
	Code        string   `json:"service_code"`
	Name        string   `json:"service_name"`
	Description string   `json:"description"`
	Keywords    []string `json:"keywords,omitempty"`
	// Group is shown to city apps to group services (the desk's name).
	Group string `json:"group"`
	// Category is the category of the case a request opens; DeskID the
	// desk it is escalated to.
	Category string `json:"category"`
	DeskID   string `json:"desk_id"`
	// Notice is the service_notice answered to a created request.
	Notice     string             `json:"notice,omitempty"`
	Attributes []Open311Attribute `json:"attributes,omitempty"`
}

// Open311Attribute is a question of a service definition that a request
// answers with attribute[CODE].
type Open311Attribute struct {
	Code        string `json:"code"`
	Datatype    string `json:"datatype"`
	Required    bool   `json:"required"`
	Description string `json:"description"`
	// DatatypeDescription tells how to fill it in (such as a format).
	DatatypeDescription string         `json:"datatype_description,omitempty"`
	Order               int            `json:"order"`
	Values              []Open311Value `json:"values,omitempty"`
}

// Open311Value is one choice of a list attribute.
type Open311Value struct {
	Key  string `json:"key"`
	Name string `json:"name"`
}

// The datatypes of Open311 attributes.
const (
	Open311String          = "string"
	Open311Number          = "number"
	Open311Datetime        = "datetime"
	Open311Text            = "text"
	Open311SingleValueList = "singlevaluelist"
	Open311MultiValueList  = "multivaluelist"
)

// The Open311 statuses of a request: a resolved case is closed.
const (
	Open311Open   = "open"
	Open311Closed = "closed"
)

// Open311StatusOf returns the Open311 status of a case in status st.
func Open311StatusOf(st CaseStatus) string {
	if st == StatusResolved {
		return Open311Closed
	}
	return Open311Open
}

// Validate reports what is wrong with a service before it is stored.
func (s *Open311Service) Validate() error {
	if s.Code == "" || len(s.Code) > 64 || strings.ContainsAny(s.Code, "/,.?#& ") {
		return Errorf(EINVALID, "a service code is 1 to 64 characters without spaces, slashes, commas or dots, not %q", s.Code)
	}
	if s.Name == "" || s.Category == "" || s.DeskID == "" {
		return Errorf(EINVALID, "service %s needs a name, a case category and a desk", s.Code)
	}
	seen := map[string]bool{}
	for _, a := range s.Attributes {
		if a.Code == "" || seen[a.Code] {
			return Errorf(EINVALID, "service %s: attribute codes must be present and distinct", s.Code)
		}
		seen[a.Code] = true
		switch a.Datatype {
		case Open311String, Open311Number, Open311Datetime, Open311Text:
		case Open311SingleValueList, Open311MultiValueList:
			if len(a.Values) == 0 {
				return Errorf(EINVALID, "service %s: list attribute %s needs values", s.Code, a.Code)
			}
		default:
			return Errorf(EINVALID, "service %s: attribute %s has unknown datatype %q", s.Code, a.Code, a.Datatype)
		}
	}
	return nil
}

// Metadata reports whether the service has a definition with attributes.
func (s *Open311Service) Metadata() bool { return len(s.Attributes) > 0 }

// Open311Reporter is who filed a request, as the city app says: kept on
// the case for the desk, never shown in Open311 answers.
type Open311Reporter struct {
	FirstName string `json:"first_name,omitempty"`
	LastName  string `json:"last_name,omitempty"`
	Email     string `json:"email,omitempty"`
	Phone     string `json:"phone,omitempty"`
	DeviceID  string `json:"device_id,omitempty"`
	AccountID string `json:"account_id,omitempty"`
}

// Name returns the reporter's first and last name.
func (r Open311Reporter) Name() string {
	return strings.TrimSpace(r.FirstName + " " + r.LastName)
}

// Open311Request is a service request as a city app files it (POST
// requests).
type Open311Request struct {
	ServiceCode string `json:"service_code"`
	// Lat and Long are WGS84 degrees; nil when the request gives an
	// address instead.
	Lat           *float64        `json:"lat,omitempty"`
	Long          *float64        `json:"long,omitempty"`
	AddressString string          `json:"address_string,omitempty"`
	AddressID     string          `json:"address_id,omitempty"`
	Description   string          `json:"description,omitempty"`
	MediaURL      string          `json:"media_url,omitempty"`
	Reporter      Open311Reporter `json:"reporter"`
	// Attributes answers the service definition: code -> values (one
	// but for a multivaluelist).
	Attributes map[string][]string `json:"attributes,omitempty"`
}

// Bounds of an Open311 request's free text.
const (
	MaxOpen311Description = 4000
	maxOpen311Field       = 200
	maxOpen311URL         = 1000
)

// Validate reports what is missing or malformed in a request, before the
// service's own attributes are checked (CheckAttributes).
func (r *Open311Request) Validate() error {
	if r.ServiceCode == "" {
		return Errorf(EINVALID, "service_code is required")
	}
	if (r.Lat == nil) != (r.Long == nil) {
		return Errorf(EINVALID, "lat and long go together")
	}
	if r.Lat == nil && r.AddressString == "" && r.AddressID == "" {
		return Errorf(EINVALID, "a location is required: lat and long, address_string or address_id")
	}
	if r.Lat != nil {
		if math.IsNaN(*r.Lat) || *r.Lat < -90 || *r.Lat > 90 || math.IsNaN(*r.Long) || *r.Long < -180 || *r.Long > 180 {
			return Errorf(EINVALID, "lat must be within -90..90 and long within -180..180")
		}
	}
	if len([]rune(r.Description)) > MaxOpen311Description {
		return Errorf(EINVALID, "description is longer than %d characters", MaxOpen311Description)
	}
	for name, v := range map[string]string{
		"address_string": r.AddressString, "address_id": r.AddressID, "first_name": r.Reporter.FirstName,
		"last_name": r.Reporter.LastName, "email": r.Reporter.Email, "phone": r.Reporter.Phone,
		"device_id": r.Reporter.DeviceID, "account_id": r.Reporter.AccountID,
	} {
		if len(v) > maxOpen311Field {
			return Errorf(EINVALID, "%s is longer than %d characters", name, maxOpen311Field)
		}
	}
	if e := r.Reporter.Email; e != "" {
		at := strings.LastIndexByte(e, '@')
		if at < 1 || at == len(e)-1 || strings.ContainsAny(e, " \t\r\n<>") {
			return Errorf(EINVALID, "email is not an email address")
		}
	}
	if u := r.MediaURL; u != "" && (len(u) > maxOpen311URL || !(strings.HasPrefix(u, "https://") || strings.HasPrefix(u, "http://"))) {
		return Errorf(EINVALID, "media_url must be an http or https URL of at most %d characters", maxOpen311URL)
	}
	return nil
}

// CheckAttributes checks a request's attribute answers against the
// service definition: every required one given, no unknown code, list
// answers among the values, numbers and datetimes well formed.
func (s *Open311Service) CheckAttributes(answers map[string][]string) error {
	known := map[string]*Open311Attribute{}
	for i := range s.Attributes {
		known[s.Attributes[i].Code] = &s.Attributes[i]
	}
	for code, vals := range answers {
		a := known[code]
		if a == nil {
			return Errorf(EINVALID, "service %s has no attribute %s", s.Code, code)
		}
		if len(vals) > 1 && a.Datatype != Open311MultiValueList {
			return Errorf(EINVALID, "attribute %s takes one value", code)
		}
		for _, v := range vals {
			if len(v) > maxOpen311Field*5 {
				return Errorf(EINVALID, "attribute %s is too long", code)
			}
			switch a.Datatype {
			case Open311SingleValueList, Open311MultiValueList:
				if !slices.ContainsFunc(a.Values, func(x Open311Value) bool { return x.Key == v }) {
					return Errorf(EINVALID, "attribute %s: %q is not one of its values", code, v)
				}
			case Open311Number:
				var f float64
				if _, err := fmt.Sscan(v, &f); err != nil {
					return Errorf(EINVALID, "attribute %s must be a number", code)
				}
			case Open311Datetime:
				if _, err := time.Parse(time.RFC3339, v); err != nil {
					return Errorf(EINVALID, "attribute %s must be a date and time such as 2025-03-14T09:00:00+01:00", code)
				}
			}
		}
	}
	for _, a := range s.Attributes {
		if a.Required && len(strings.Join(answers[a.Code], "")) == 0 {
			return Errorf(EINVALID, "attribute %s is required: %s", a.Code, a.Description)
		}
	}
	return nil
}

// Open311Status is a request as Open311 shows it to anyone (GET
// requests): what the reporter filed and where the case stands, never who
// the reporter is.
type Open311Status struct {
	ID          string `json:"service_request_id"` // the case id
	Token       string `json:"token,omitempty"`
	ServiceCode string `json:"service_code"`
	ServiceName string `json:"service_name"`
	Status      string `json:"status"` // Open311Open or Open311Closed
	// StatusNotes is the newest answer given on the case, if any.
	StatusNotes string `json:"status_notes"`
	Description string `json:"description"`
	// AgencyResponsible is the name of the desk that has the case.
	AgencyResponsible string    `json:"agency_responsible"`
	ServiceNotice     string    `json:"service_notice"`
	RequestedAt       time.Time `json:"requested_datetime"`
	UpdatedAt         time.Time `json:"updated_datetime"`
	Address           string    `json:"address"`
	AddressID         string    `json:"address_id"`
	Lat               *float64  `json:"lat,omitempty"`
	Long              *float64  `json:"long,omitempty"`
	MediaURL          string    `json:"media_url"`
}

// Open311Filter selects requests for GET requests: by ids (which override
// everything else), or by service codes, a time window on when they were
// filed and statuses. Empty fields select everything.
type Open311Filter struct {
	IDs          []string
	ServiceCodes []string
	Start, End   time.Time
	Statuses     []string
	// Limit bounds the answer (newest first).
	Limit int
}

// Open311Key is a city app's API key as the store knows it: the key
// itself is kept only as a hash.
type Open311Key struct {
	ID        string    `json:"id"`
	Name      string    `json:"name"`
	CreatedAt time.Time `json:"created_at"`
}
