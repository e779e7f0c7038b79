package check

import (
	"strings"
	"sync"
	"sync/atomic"

	"github.com/nyaruka/phonenumbers"
	"github.com/sportello/sportello"
)

// DefaultRegion is the country of a number dialled without its country
// code: the City's PBX delivers national calls that way.
const DefaultRegion = "IT"

// Number returns a phone number in E.164 form, parsed by libphonenumber
// (github.com/nyaruka/phonenumbers) with Italy as the default region:
// separators dropped, a 00 prefix read as +, a national number taken as
// Italian (keeping the leading 0 of Italian landlines). Only characters
// people write in a number are accepted, and the number must have a
// possible length for its country; a caller's number need not be assigned
// (test and internal numbers ring too), a citizen's must (CitizenPhone).
func Number(number string) (string, error) {
	if e164, ok := numbers.Load(number); ok {
		return e164.(string), nil
	}
	n, err := parseNumber(number)
	if err != nil {
		return "", err
	}
	e164 := phonenumbers.Format(n, phonenumbers.E164)
	if numbersLen.Add(1) > maxCachedNumbers {
		numbers.Clear() // crude, but bounded; callers repeat within minutes
		numbersLen.Store(0)
	}
	numbers.Store(number, e164)
	return e164, nil
}

// numbers caches Number's answers: libphonenumber takes tens of
// microseconds a parse, and the screen pop parses every ringing number.
var (
	numbers    sync.Map // number as given -> E.164
	numbersLen atomic.Int64
)

// maxCachedNumbers bounds the cache of Number.
const maxCachedNumbers = 100_000

// CitizenPhone returns a number a citizen gives in E.164 form, refusing
// one that no operator in its country assigns (a typo, a missing digit),
// in words a person can act on.
func CitizenPhone(number string) (string, error) {
	n, err := parseNumber(number)
	if err != nil {
		return "", err
	}
	if !phonenumbers.IsValidNumber(n) {
		return "", sportello.Errorf(sportello.EINVALID, "%q is not a number in use in %s: check the digits", Clip(number, 40), regionName(n))
	}
	return phonenumbers.Format(n, phonenumbers.E164), nil
}

// regionName names the country of a number for a message.
func regionName(n *phonenumbers.PhoneNumber) string {
	if r := phonenumbers.GetRegionCodeForNumber(n); r != "" && r != "ZZ" {
		return r
	}
	return "its country"
}

// parseNumber parses a number after refusing characters that are not part
// of how numbers are written (libphonenumber itself skips a lot).
func parseNumber(number string) (*phonenumbers.PhoneNumber, error) {
	bad := func() error {
		return sportello.Errorf(sportello.EINVALID, "%q is not a phone number", Clip(number, 40))
	}
	s := strings.TrimSpace(number)
	digits := 0
	for i, r := range s {
		switch {
		case r >= '0' && r <= '9':
			digits++
		case r == '+' && i == 0:
		case r == ' ' || r == '-' || r == '.' || r == '(' || r == ')' || r == '/':
		default:
			return nil, bad()
		}
	}
	if digits < 6 || digits > 17 { // 00 + 15 digits at most
		return nil, bad()
	}
	n, err := phonenumbers.Parse(s, DefaultRegion)
	if err != nil || !phonenumbers.IsPossibleNumber(n) {
		return nil, bad()
	}
	return n, nil
}
