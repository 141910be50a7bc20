package epcis

import (
	"strings"
)

// This file holds the minimal EPC URN → GS1 Digital Link conversion the
// event hash needs (CBV 2.0 §8.9: identifiers enter the pre-hash string as
// canonical DL URIs on https://id.gs1.org, at their finest level, without
// query string). It is private on purpose: the engine's own EPC and Digital
// Link parsers live in engine/code; this only has to agree with the hash
// reference implementation, including where that one gives up (then the
// value is hashed as written).

const dlRoot = "https://id.gs1.org/"

// canonicalDL returns the canonical Digital Link of an EPC URN, EPC class
// URN, EPC pattern URN or GS1 Digital Link URI, or false when s is none of
// these (or one the conversion does not cover).
func canonicalDL(s string) (string, bool) {
	switch {
	case strings.HasPrefix(s, "urn:epc:id:"):
		return epcIDToDL(s[len("urn:epc:id:"):])
	case strings.HasPrefix(s, "urn:epc:class:lgtin:"):
		parts := strings.Split(s[len("urn:epc:class:lgtin:"):], ".")
		if len(parts) != 3 || !isEPCSerial(parts[2], 20) {
			return "", false
		}
		gtin, ok := gtin14(parts[0], parts[1])
		if !ok {
			return "", false
		}
		return dlRoot + "01/" + gtin + "/10/" + dlEscape(parts[2]), true
	case strings.HasPrefix(s, "urn:epc:idpat:"):
		return epcPatternToDL(s[len("urn:epc:idpat:"):])
	case strings.HasPrefix(s, "https://"), strings.HasPrefix(s, "http://"):
		return canonicalizeDL(s)
	}
	return "", false
}

// epcIDToDL converts the part after urn:epc:id:.
func epcIDToDL(s string) (string, bool) {
	scheme, rest, ok := strings.Cut(s, ":")
	if !ok {
		return "", false
	}
	parts := strings.Split(rest, ".")
	switch scheme {
	case "sgtin": // CP.IR.SER
		if len(parts) != 3 || !isEPCSerial(parts[2], 20) {
			return "", false
		}
		if gtin, ok := gtin14(parts[0], parts[1]); ok {
			return dlRoot + "01/" + gtin + "/21/" + dlEscape(parts[2]), true
		}
	case "sscc": // CP.SR (extension digit first)
		if len(parts) == 2 && allDigits(parts[0]) && allDigits(parts[1]) && cpOK(parts[0]) && len(parts[0])+len(parts[1]) == 17 {
			body := parts[1][:1] + parts[0] + parts[1][1:]
			return dlRoot + "00/" + withCheck(body), true
		}
	case "sgln": // CP.LR.EXT
		if len(parts) == 3 && isEPCSerial(parts[2], 20) {
			if gln, ok := key13(parts[0], parts[1]); ok {
				if parts[2] == "0" {
					return dlRoot + "414/" + gln, true
				}
				return dlRoot + "414/" + gln + "/254/" + dlEscape(parts[2]), true
			}
		}
	case "pgln": // CP.PR
		if len(parts) == 2 {
			if gln, ok := key13(parts[0], parts[1]); ok {
				return dlRoot + "417/" + gln, true
			}
		}
	case "grai": // CP.AT.SER
		if len(parts) == 3 && isEPCSerial(parts[2], 16) {
			if k, ok := key13(parts[0], parts[1]); ok {
				return dlRoot + "8003/0" + k + dlEscape(parts[2]), true
			}
		}
	case "gdti": // CP.DT.SER
		if len(parts) == 3 && isEPCSerial(parts[2], 17) {
			if k, ok := key13(parts[0], parts[1]); ok {
				return dlRoot + "253/" + k + dlEscape(parts[2]), true
			}
		}
	case "sgcn": // CP.CR.SER (numeric serial)
		if len(parts) == 3 && allDigits(parts[2]) && len(parts[2]) <= 12 {
			if k, ok := key13(parts[0], parts[1]); ok {
				return dlRoot + "255/" + k + parts[2], true
			}
		}
	case "giai", "ginc": // CP.REF, the reference may hold dots
		cp, ref, ok := strings.Cut(rest, ".")
		if ok && cpOK(cp) && isEPCSerial(ref, 30-len(cp)) {
			ai := "8004/"
			if scheme == "ginc" {
				ai = "401/"
			}
			return dlRoot + ai + cp + dlEscape(ref), true
		}
	case "gsrn", "gsrnp": // CP.SR
		if len(parts) == 2 && cpOK(parts[0]) && allDigits(parts[1]) && len(parts[0])+len(parts[1]) == 17 {
			ai := "8018/"
			if scheme == "gsrnp" {
				ai = "8017/"
			}
			return dlRoot + ai + withCheck(parts[0]+parts[1]), true
		}
	case "gsin": // CP.SR
		if len(parts) == 2 && cpOK(parts[0]) && allDigits(parts[1]) && len(parts[0])+len(parts[1]) == 16 {
			return dlRoot + "402/" + withCheck(parts[0]+parts[1]), true
		}
	case "itip": // CP.IR.PP.TT.SER
		if len(parts) == 5 && len(parts[2]) == 2 && len(parts[3]) == 2 && allDigits(parts[2]+parts[3]) && isEPCSerial(parts[4], 20) {
			if gtin, ok := gtin14(parts[0], parts[1]); ok {
				return dlRoot + "8006/" + gtin + parts[2] + parts[3] + "/21/" + dlEscape(parts[4]), true
			}
		}
	case "upui": // CP.IR.TPX
		cp, r1, ok1 := strings.Cut(rest, ".")
		ir, tpx, ok2 := strings.Cut(r1, ".")
		if ok1 && ok2 && isEPCSerial(tpx, 28) {
			if gtin, ok := gtin14(cp, ir); ok {
				return dlRoot + "01/" + gtin + "/235/" + dlEscape(tpx), true
			}
		}
	case "cpi": // CP.CPREF.SER
		i, j := strings.IndexByte(rest, '.'), strings.LastIndexByte(rest, '.')
		if i > 0 && j > i && cpOK(rest[:i]) && allDigits(rest[j+1:]) && j+1 < len(rest) {
			return dlRoot + "8010/" + dlEscape(rest[:i]+rest[i+1:j]) + "/8011/" + rest[j+1:], true
		}
	}
	return "", false
}

// epcPatternToDL converts the part after urn:epc:idpat: for the patterns
// that name a class (serial *), giving the class's DL without serial.
func epcPatternToDL(s string) (string, bool) {
	scheme, rest, ok := strings.Cut(s, ":")
	if !ok || !strings.HasSuffix(rest, ".*") {
		return "", false
	}
	parts := strings.Split(strings.TrimSuffix(rest, ".*"), ".")
	switch scheme {
	case "sgtin", "upui":
		if len(parts) == 2 {
			if gtin, ok := gtin14(parts[0], parts[1]); ok {
				return dlRoot + "01/" + gtin, true
			}
		}
	case "grai", "gdti", "sgcn":
		if len(parts) == 2 {
			if k, ok := key13(parts[0], parts[1]); ok {
				switch scheme {
				case "grai":
					return dlRoot + "8003/0" + k, true
				case "gdti":
					return dlRoot + "253/" + k, true
				}
				return dlRoot + "255/" + k, true
			}
		}
	case "itip":
		if len(parts) == 4 && len(parts[2]) == 2 && len(parts[3]) == 2 && allDigits(parts[2]+parts[3]) {
			if gtin, ok := gtin14(parts[0], parts[1]); ok {
				return dlRoot + "8006/" + gtin + parts[2] + parts[3], true
			}
		}
	case "cpi":
		if len(parts) >= 2 && cpOK(parts[0]) {
			return dlRoot + "8010/" + dlEscape(strings.Join(parts, "")), true
		}
	}
	return "", false
}

// dlKeys maps the primary-key path segments of a Digital Link (AI or
// short name) to their AI.
var dlKeys = map[string]string{
	"01": "01", "gtin": "01", "8006": "8006", "itip": "8006", "8010": "8010", "cpid": "8010",
	"414": "414", "gln": "414", "417": "417", "party": "417", "8017": "8017", "gsrnp": "8017",
	"8018": "8018", "gsrn": "8018", "255": "255", "gcn": "255", "00": "00", "sscc": "00",
	"253": "253", "gdti": "253", "401": "401", "ginc": "401", "402": "402", "gsin": "402",
	"8003": "8003", "grai": "8003", "8004": "8004", "giai": "8004",
}

// dlQualifiers maps qualifier short names to AIs.
var dlQualifiers = map[string]string{"cpv": "22", "lot": "10", "ser": "21"}

// canonicalizeDL rewrites a Digital Link URI on any host to
// https://id.gs1.org with numeric AIs, a 14-digit GTIN, no CPV, no lot when
// a serial is present and no query string.
func canonicalizeDL(s string) (string, bool) {
	if i := strings.IndexAny(s, "?#"); i >= 0 {
		s = s[:i]
	}
	rest := s[strings.Index(s, "://")+3:]
	slash := strings.IndexByte(rest, '/')
	if slash < 0 {
		return "", false
	}
	segs := strings.Split(strings.TrimSuffix(rest[slash+1:], "/"), "/")
	start := -1
	for i := 0; i+1 < len(segs); i++ {
		if _, ok := dlKeys[segs[i]]; ok && len(segs[i+1]) >= 4 && allDigits(segs[i+1][:4]) {
			start = i
			break
		}
	}
	if start < 0 || (len(segs)-start)%2 != 0 {
		return "", false
	}
	ai := dlKeys[segs[start]]
	key := segs[start+1]
	if ai == "01" {
		switch len(key) {
		case 8, 12, 13:
			key = strings.Repeat("0", 14-len(key)) + key
		}
	}
	var lot, serial string
	var quals []string
	for i := start + 2; i+1 < len(segs); i += 2 {
		q := segs[i]
		if a, ok := dlQualifiers[q]; ok {
			q = a
		}
		switch q {
		case "22":
		case "10":
			lot = segs[i+1]
		case "21":
			serial = segs[i+1]
		default:
			quals = append(quals, q, segs[i+1])
		}
	}
	out := dlRoot + ai + "/" + key
	switch {
	case serial != "":
		out += "/21/" + serial
	case lot != "":
		out += "/10/" + lot
	}
	if len(quals) > 0 {
		out += "/" + strings.Join(quals, "/")
	}
	if !validCanonicalDL(ai, key, serial, lot, quals) {
		return "", false
	}
	return out, true
}

// validCanonicalDL is the final syntax check of the reference: keys of the
// right length, values from its restricted character set (no percent
// escapes).
func validCanonicalDL(ai, key, serial, lot string, quals []string) bool {
	n := len(quals)
	switch ai {
	case "00":
		return n == 0 && serial == "" && lot == "" && len(key) == 18 && allDigits(key)
	case "01":
		if len(key) != 14 || !allDigits(key) {
			return false
		}
		if n == 2 && quals[0] == "235" {
			return serial == "" && lot == "" && dlChars(quals[1], 28)
		}
		return n == 0 && dlChars(serial, 20) && dlChars(lot, 20)
	case "8006":
		return n == 0 && len(key) == 18 && allDigits(key) && dlChars(serial, 20) && dlChars(lot, 20)
	case "414":
		if n == 2 && quals[0] == "254" {
			return serial == "" && lot == "" && len(key) == 13 && allDigits(key) && dlChars(quals[1], 20)
		}
		return n == 0 && serial == "" && lot == "" && len(key) == 13 && allDigits(key)
	case "417":
		return n == 0 && serial == "" && lot == "" && len(key) == 13 && allDigits(key)
	case "8017", "8018":
		return n == 0 && serial == "" && lot == "" && len(key) == 18 && allDigits(key)
	case "402":
		return n == 0 && serial == "" && lot == "" && len(key) == 17 && allDigits(key)
	case "253":
		return n == 0 && serial == "" && lot == "" && len(key) >= 13 && allDigits(key[:13]) && dlChars(key[13:], 17)
	case "255":
		return n == 0 && serial == "" && lot == "" && len(key) >= 13 && len(key) <= 25 && allDigits(key)
	case "8003":
		return n == 0 && serial == "" && lot == "" && len(key) >= 14 && allDigits(key[:14]) && dlChars(key[14:], 16)
	case "401", "8004":
		return n == 0 && serial == "" && lot == "" && dlChars(key, 30)
	case "8010":
		if n == 2 && quals[0] == "8011" {
			return serial == "" && lot == "" && len(quals[1]) <= 12 && allDigits(quals[1])
		}
		return n == 0 && serial == "" && lot == ""
	}
	return false
}

// dlChars reports whether s has at most max characters of the set the
// reference accepts in canonical DL values: " ' - . 0-9 ; < = > ? A-Z _ a-z.
func dlChars(s string, max int) bool {
	if len(s) > max {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('0' <= c && c <= '9' || 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' ||
			strings.IndexByte("\"'-.;<=>?_", c) >= 0) {
			return false
		}
	}
	return true
}

// isEPCSerial checks an EPC URN serial: 1..max characters (an escape %XX
// counting as one) from GS1 AI encodable character set 82 as EPC URNs
// write it.
func isEPCSerial(s string, max int) bool {
	n := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '%':
			if i+2 >= len(s) || !isHex(s[i+1]) || !isHex(s[i+2]) {
				return false
			}
			i += 2
		case '0' <= c && c <= '9', 'A' <= c && c <= 'Z', 'a' <= c && c <= 'z',
			strings.IndexByte("!')(*+,-.:;=_", c) >= 0:
		default:
			return false
		}
		n++
	}
	return n >= 1 && n <= max
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

// dlEscape percent-encodes the characters the Digital Link standard
// requires escaped and an EPC URN may hold unescaped; EPC escapes are kept.
func dlEscape(s string) string {
	if !strings.ContainsAny(s, "!()*+,:") {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '!', '(', ')', '*', '+', ',', ':':
			b.WriteByte('%')
			b.WriteByte("0123456789ABCDEF"[c>>4])
			b.WriteByte("0123456789ABCDEF"[c&15])
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

func allDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// cpOK checks a GS1 company prefix: 6 to 12 digits.
func cpOK(cp string) bool { return len(cp) >= 6 && len(cp) <= 12 && allDigits(cp) }

// gtin14 builds a GTIN-14 from an EPC company prefix and item reference
// (indicator digit first, 13 digits together).
func gtin14(cp, ir string) (string, bool) {
	if !cpOK(cp) || len(cp)+len(ir) != 13 || (ir != "" && !allDigits(ir)) || ir == "" {
		return "", false
	}
	return withCheck(ir[:1] + cp + ir[1:]), true
}

// key13 builds a 13-digit key (GLN, GDTI, GRAI body, …) from a company
// prefix and a reference that may be empty for a 12-digit prefix.
func key13(cp, ref string) (string, bool) {
	if !cpOK(cp) || len(cp)+len(ref) != 12 || (ref != "" && !allDigits(ref)) {
		return "", false
	}
	return withCheck(cp + ref), true
}

// withCheck appends the GS1 mod-10 check digit to a string of digits.
func withCheck(body string) string {
	sum := 0
	for i := 0; i < len(body); i++ {
		d := int(body[len(body)-1-i] - '0')
		if i%2 == 0 {
			d *= 3
		}
		sum += d
	}
	return body + string(rune('0'+(10-sum%10)%10))
}
