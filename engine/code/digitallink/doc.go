// Package digitallink parses, validates and builds GS1 Digital Link URIs
// (GS1 Digital Link URI Syntax 1.4 and the rules of GS1's reference Barcode
// Syntax Engine, gs1/gs1-syntax-engine src/c-lib/dl.c).
//
// A Digital Link URI carries GS1 element strings in web form:
//
//	https://{host}[/{stem}]/{keyAI}/{value}[/{qualifierAI}/{value}…][?{AI}={value}&…&linkType=…][#fragment]
//
// The primary key AI (01, 00, 414, 8004, …: every AI of the gs1 table whose
// DLPKey is non-nil) and its key qualifiers (for 01: 22, 10, 21 in that order,
// or 235) sit in the path; further AIs ("data attributes", flagged '?' in the
// GS1 Barcode Syntax Dictionary) sit in the query, next to non-AI parameters
// such as linkType and context.
//
// Parse is strict and follows the reference engine's test vectors: scheme
// http or https in all lower or all upper case, any host of URI characters,
// any stem before the rightmost primary-key segment, qualifiers in the order
// of one of the key's qualifier paths, no AI twice, no qualifier in the query,
// no %00, no trailing slash, "+" literal in the path and a space in the query,
// fragment ignored, every value checked by gs1's AI.Validate (length, CSET 82,
// check digits). ParseOptions with Options.AllowLegacy also accepts the
// deprecated forms of URI Syntax 1.2: 8-, 12- and 13-digit GTINs and short
// names such as /gtin/, /lot/ and /ser/.
//
// The canonical form (AppendCanonical, Build, FromElements) uses the base
// "https://id.gs1.org" unless told otherwise, numeric AIs, 14-digit GTINs,
// qualifiers in path order, and the AI attributes in the query with the
// predefined-length AIs first, each group in the order given (the order the
// reference engine emits, which keeps the element string short). Values are
// percent-encoded except A-Z a-z 0-9 - . _ ~; a space is "+" in the query.
//
// Compressed Digital Link URIs (GS1 Digital Link 1.1/1.2 compression: the
// element strings packed into one base64url path segment, as GS1's prototype
// gs1/GS1DigitalLinkCompressionPrototype writes them) are not parsed by
// Parse, which returns an error wrapping ErrCompressed when the last segment
// looks like one. Decompress and AppendDecompressed give the long form;
// Compress and DL.AppendCompressed write the compressed form, with or
// without the prototype's optimisation codes. See compress_table.go for the
// tables and where they come from.
//
// The package does no I/O. Parse allocates the element slice once and
// reuses substrings of the URI for values that need no percent-decoding;
// AppendGTINSerial, the printing hot path, allocates nothing.
package digitallink
