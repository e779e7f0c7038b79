package sportello_test

import (
	"strings"
	"testing"

	"github.com/sportello/sportello"
)

func fptr(f float64) *float64 { return &f }

// TestOpen311Request_Validate: a request needs a service and a location,
// and its fields are bounded and well formed.
func TestOpen311Request_Validate(t *testing.T) {
	for _, tc := range []struct {
		name string
		r    sportello.Open311Request
		want string // "" for valid
	}{
		{"Address", sportello.Open311Request{ServiceCode: "tari", AddressString: "Via Roma 1"}, ""},
		{"Position", sportello.Open311Request{ServiceCode: "tari", Lat: fptr(45.46), Long: fptr(9.19)}, ""},
		{"AddressID", sportello.Open311Request{ServiceCode: "tari", AddressID: "civ-123"}, ""},
		{"NoService", sportello.Open311Request{AddressString: "Via Roma 1"}, "service_code is required"},
		{"NoLocation", sportello.Open311Request{ServiceCode: "tari"}, "a location is required"},
		{"HalfPosition", sportello.Open311Request{ServiceCode: "tari", Lat: fptr(45)}, "lat and long go together"},
		{"LatOutOfRange", sportello.Open311Request{ServiceCode: "tari", Lat: fptr(-91), Long: fptr(9)}, "within -90..90"},
		{"LongOutOfRange", sportello.Open311Request{ServiceCode: "tari", Lat: fptr(45), Long: fptr(181)}, "within -180..180"},
		{"LongDescription", sportello.Open311Request{ServiceCode: "tari", AddressID: "x", Description: strings.Repeat("è", sportello.MaxOpen311Description+1)}, "description is longer"},
		{"LongName", sportello.Open311Request{ServiceCode: "tari", AddressID: "x", Reporter: sportello.Open311Reporter{FirstName: strings.Repeat("a", 201)}}, "first_name is longer"},
		{"BadEmail", sportello.Open311Request{ServiceCode: "tari", AddressID: "x", Reporter: sportello.Open311Reporter{Email: "@example.org"}}, "email is not"},
		{"BadMedia", sportello.Open311Request{ServiceCode: "tari", AddressID: "x", MediaURL: "javascript:alert(1)"}, "media_url must be"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.r.Validate()
			if tc.want == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if sportello.ErrorCode(err) != sportello.EINVALID || !strings.Contains(sportello.ErrorMessage(err), tc.want) {
				t.Fatalf("error %v, want invalid %q", err, tc.want)
			}
		})
	}
}

// TestOpen311Service_CheckAttributes: answers are checked against the
// service definition.
func TestOpen311Service_CheckAttributes(t *testing.T) {
	svc := sportello.Open311Service{Code: "multe", Name: "Multe", Category: "Multe", DeskID: "d", Attributes: []sportello.Open311Attribute{
		{Code: "argomento", Datatype: sportello.Open311SingleValueList, Values: []sportello.Open311Value{{Key: "t1", Name: "Sosta"}, {Key: "t2", Name: "ZTL"}}},
		{Code: "numero_verbale", Datatype: sportello.Open311String, Required: true, Description: "Numero del verbale"},
		{Code: "veicoli", Datatype: sportello.Open311MultiValueList, Values: []sportello.Open311Value{{Key: "auto"}, {Key: "moto"}}},
		{Code: "importo", Datatype: sportello.Open311Number},
		{Code: "quando", Datatype: sportello.Open311Datetime},
	}}
	if err := svc.Validate(); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name    string
		answers map[string][]string
		want    string
	}{
		{"Minimal", map[string][]string{"numero_verbale": {"V/1"}}, ""},
		{"Full", map[string][]string{"numero_verbale": {"V/1"}, "argomento": {"t2"}, "veicoli": {"auto", "moto"}, "importo": {"41.50"}, "quando": {"2025-03-14T09:00:00+01:00"}}, ""},
		{"MissingRequired", map[string][]string{"argomento": {"t1"}}, "numero_verbale is required: Numero del verbale"},
		{"EmptyRequired", map[string][]string{"numero_verbale": {""}}, "numero_verbale is required"},
		{"NotAValue", map[string][]string{"numero_verbale": {"V/1"}, "argomento": {"t3"}}, `"t3" is not one of its values`},
		{"TwoForSingle", map[string][]string{"numero_verbale": {"V/1"}, "argomento": {"t1", "t2"}}, "takes one value"},
		{"Unknown", map[string][]string{"numero_verbale": {"V/1"}, "colore": {"rosso"}}, "has no attribute colore"},
		{"NotANumber", map[string][]string{"numero_verbale": {"V/1"}, "importo": {"tanti"}}, "must be a number"},
		{"NotADatetime", map[string][]string{"numero_verbale": {"V/1"}, "quando": {"ieri"}}, "must be a date and time"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := svc.CheckAttributes(tc.answers)
			if tc.want == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if sportello.ErrorCode(err) != sportello.EINVALID || !strings.Contains(sportello.ErrorMessage(err), tc.want) {
				t.Fatalf("error %v, want invalid %q", err, tc.want)
			}
		})
	}
	for name, bad := range map[string]sportello.Open311Service{
		"NoDesk":        {Code: "x", Name: "X", Category: "X"},
		"SlashInCode":   {Code: "a/b", Name: "X", Category: "X", DeskID: "d"},
		"ListNoValues":  {Code: "x", Name: "X", Category: "X", DeskID: "d", Attributes: []sportello.Open311Attribute{{Code: "a", Datatype: sportello.Open311SingleValueList}}},
		"UnknownType":   {Code: "x", Name: "X", Category: "X", DeskID: "d", Attributes: []sportello.Open311Attribute{{Code: "a", Datatype: "colour"}}},
		"DuplicateCode": {Code: "x", Name: "X", Category: "X", DeskID: "d", Attributes: []sportello.Open311Attribute{{Code: "a", Datatype: "string"}, {Code: "a", Datatype: "text"}}},
	} {
		if err := bad.Validate(); sportello.ErrorCode(err) != sportello.EINVALID {
			t.Errorf("%s: %v, want invalid", name, err)
		}
	}
}

// TestOpen311StatusOf: a resolved case is closed; every other state open.
func TestOpen311StatusOf(t *testing.T) {
	for st, want := range map[sportello.CaseStatus]string{
		sportello.StatusOpen: "open", sportello.StatusEscalated: "open", sportello.StatusClaimed: "open",
		sportello.StatusAnswerReady: "open", sportello.StatusResolved: "closed",
	} {
		if got := sportello.Open311StatusOf(st); got != want {
			t.Errorf("Open311StatusOf(%s) = %s, want %s", st, got, want)
		}
	}
}
