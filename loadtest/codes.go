package loadtest

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"
)

// LoadCodesFile adds every line of the file at path to c (see Corpus.Add for
// the accepted forms) and returns the number of lines read.
func LoadCodesFile(c *Corpus, path string) (int, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, fmt.Errorf("loadtest: codes file: %w", err)
	}
	defer f.Close()
	n, err := c.addFrom(f)
	if err != nil {
		return n, fmt.Errorf("loadtest: codes file %s: %w", path, err)
	}
	return n, nil
}

// FetchOptions says which codes FetchCodes takes from a running server's
// authenticated API.
type FetchOptions struct {
	// Target is the server's base URL, e.g. http://127.0.0.1:8080.
	Target string
	// Key is an API key sent as "Authorization: Bearer KEY".
	Key string
	// Blocks lists block IDs; a single "all" lists them with GET /v1/blocks.
	Blocks []string
	// PerBlock caps the codes taken from each block. Zero means 100 000.
	PerBlock int
	// PageSize is the limit of each GET …/codes request. Zero means 10 000.
	PageSize int
	// Short also fetches format=short for the same codes (for the short-code
	// form); a server that does not offer it only costs a warning.
	Short bool
	// Client is the HTTP client; nil means one with a 30 s timeout.
	Client *http.Client
}

// FetchStats reports what FetchCodes took.
type FetchStats struct {
	// Blocks are the block IDs codes were read from.
	Blocks []string
	// DL, Short and Raw count lines read per kind: Digital Link URIs,
	// short-code URLs, and raw codes (format=nmpa) sent to /resolve.
	DL, Short, Raw int
	// Warnings says what was skipped and why.
	Warnings []string
}

// blockInfo is what the API says of a block; empty fields are unknown.
type blockInfo struct {
	id      string
	state   string   // "active", "voided", …
	formats []string // formats its codes can be read in
}

// fetchFormats are the code formats FetchCodes reads, with the kind each
// feeds: dl (Digital Link paths, and /resolve with element strings), short
// (/c/…) and nmpa (raw drug codes for /resolve).
var fetchFormats = []string{"dl", "short", "nmpa"}

// FetchCodes streams codes from the server's API into c:
//
//	GET {target}/v1/blocks                         (for Blocks = ["all"])
//	GET {target}/v1/blocks/{id}                    (for listed IDs: state, formats)
//	GET {target}/v1/blocks/{id}/codes?format=F&offset=O&limit=L
//	Authorization: Bearer KEY
//
// Each answer is one code per line (Digital Link URIs https://HOST/01/…/21/…:
// the host is dropped, requests go to the target). Pages are read until a
// short page or PerBlock codes. A block whose state is known and not
// "active" is skipped; a block is read in each of dl, short (if o.Short) and
// nmpa that it offers — all three tried when its formats are unknown. A block
// that fails only costs a warning; FetchCodes fails when no codes at all were
// read.
func FetchCodes(ctx context.Context, c *Corpus, o FetchOptions) (FetchStats, error) {
	var st FetchStats
	if o.PerBlock <= 0 {
		o.PerBlock = 100_000
	}
	if o.PageSize <= 0 {
		o.PageSize = 10_000
	}
	if o.Client == nil {
		o.Client = &http.Client{Timeout: 30 * time.Second}
	}
	base := strings.TrimRight(o.Target, "/")
	var blocks []blockInfo
	if len(o.Blocks) == 1 && o.Blocks[0] == "all" {
		var err error
		if blocks, err = listBlocks(ctx, o.Client, base, o.Key); err != nil {
			return st, err
		}
	} else {
		for _, id := range o.Blocks {
			blocks = append(blocks, getBlock(ctx, o.Client, base, o.Key, id))
		}
	}
	if len(blocks) == 0 {
		return st, fmt.Errorf("loadtest: no blocks to fetch codes from")
	}
	var firstErr error
	for _, b := range blocks {
		if b.state != "" && b.state != "active" {
			st.Warnings = append(st.Warnings, fmt.Sprintf("block %s is %s: skipped", b.id, b.state))
			continue
		}
		got := 0
		for _, f := range fetchFormats {
			if f == "short" && !o.Short {
				continue
			}
			known := len(b.formats) > 0
			if known && indexOf(b.formats, f) < 0 {
				continue
			}
			n, err := fetchBlock(ctx, c, o, base, b.id, f)
			got += n
			switch f {
			case "dl":
				st.DL += n
			case "short":
				st.Short += n
			default:
				st.Raw += n
			}
			if err != nil && (known || f == "dl") {
				st.Warnings = append(st.Warnings, fmt.Sprintf("block %s, format %s: %v", b.id, f, err))
				if firstErr == nil {
					firstErr = err
				}
			}
		}
		if got > 0 {
			st.Blocks = append(st.Blocks, b.id)
		} else {
			st.Warnings = append(st.Warnings, fmt.Sprintf("block %s: no codes", b.id))
		}
	}
	if st.DL+st.Short+st.Raw == 0 {
		if firstErr != nil {
			return st, firstErr
		}
		return st, fmt.Errorf("loadtest: the blocks %v gave no codes", o.Blocks)
	}
	return st, nil
}

// fetchBlock reads up to o.PerBlock codes of one block in one format.
func fetchBlock(ctx context.Context, c *Corpus, o FetchOptions, base, id, format string) (int, error) {
	total := 0
	for total < o.PerBlock {
		limit := min(o.PageSize, o.PerBlock-total)
		u := base + "/v1/blocks/" + url.PathEscape(id) + "/codes?format=" + format +
			"&offset=" + strconv.Itoa(total) + "&limit=" + strconv.Itoa(limit)
		body, err := apiGet(ctx, o.Client, u, o.Key, "text/plain")
		if err != nil {
			return total, err
		}
		got := 0
		sc := bufio.NewScanner(body)
		sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
		for sc.Scan() && total+got < o.PerBlock {
			line := strings.TrimSpace(sc.Text())
			if line == "" {
				continue
			}
			if format == "short" && !strings.Contains(line, "/c/") {
				line = "/c/" + line
			}
			c.Add(line)
			got++
		}
		err = sc.Err()
		body.Close()
		if err != nil {
			return total + got, fmt.Errorf("loadtest: reading %s: %w", u, err)
		}
		total += got
		if got < limit {
			break
		}
	}
	return total, nil
}

// listBlocks reads GET /v1/blocks. It accepts a JSON array of block objects
// or an object holding one ("blocks", "items" or "data"); each needs an "id"
// (string or number) and may have "state" and "formats".
func listBlocks(ctx context.Context, client *http.Client, base, key string) ([]blockInfo, error) {
	u := strings.TrimRight(base, "/") + "/v1/blocks"
	v, err := getJSON(ctx, client, u, key)
	if err != nil {
		return nil, err
	}
	list, _ := v.([]any)
	if m, ok := v.(map[string]any); ok {
		for _, k := range []string{"blocks", "items", "data"} {
			if l, ok := m[k].([]any); ok {
				list = l
				break
			}
		}
	}
	var out []blockInfo
	for _, e := range list {
		if b, ok := parseBlock(e); ok {
			out = append(out, b)
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("loadtest: GET %s: no block ids in the answer", u)
	}
	return out, nil
}

// getBlock reads GET /v1/blocks/{id}; if that fails, the block's state and
// formats stay unknown.
func getBlock(ctx context.Context, client *http.Client, base, key, id string) blockInfo {
	v, err := getJSON(ctx, client, strings.TrimRight(base, "/")+"/v1/blocks/"+url.PathEscape(id), key)
	if b, ok := parseBlock(v); err == nil && ok {
		b.id = id
		return b
	}
	return blockInfo{id: id}
}

func parseBlock(v any) (blockInfo, bool) {
	m, _ := v.(map[string]any)
	var b blockInfo
	switch id := m["id"].(type) {
	case string:
		b.id = id
	case float64:
		b.id = strconv.FormatFloat(id, 'f', -1, 64)
	default:
		return b, false
	}
	b.state, _ = m["state"].(string)
	fs, _ := m["formats"].([]any)
	for _, f := range fs {
		if s, ok := f.(string); ok {
			b.formats = append(b.formats, s)
		}
	}
	return b, true
}

// getJSON GETs u with the key and decodes the JSON answer.
func getJSON(ctx context.Context, client *http.Client, u, key string) (any, error) {
	body, err := apiGet(ctx, client, u, key, "application/json")
	if err != nil {
		return nil, err
	}
	defer body.Close()
	var v any
	if err := json.NewDecoder(io.LimitReader(body, 64<<20)).Decode(&v); err != nil {
		return nil, fmt.Errorf("loadtest: GET %s: not JSON: %w", u, err)
	}
	return v, nil
}

// apiGet sends an authenticated GET and returns the body of a 200 answer.
func apiGet(ctx context.Context, client *http.Client, u, key, accept string) (io.ReadCloser, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, fmt.Errorf("loadtest: %w", err)
	}
	req.Header.Set("Authorization", "Bearer "+key)
	req.Header.Set("Accept", accept)
	resp, err := client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("loadtest: GET %s: %w", u, err)
	}
	if resp.StatusCode != http.StatusOK {
		msg, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
		resp.Body.Close()
		return nil, fmt.Errorf("loadtest: GET %s: %s: %s", u, resp.Status, strings.TrimSpace(string(msg)))
	}
	return resp.Body, nil
}
