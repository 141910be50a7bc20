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
	n, err := c.AddFrom(f)
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
	// Blocks are the block IDs read.
	Blocks []string
	// DL and Short count lines read per format.
	DL, Short int
	// Warnings says what was skipped and why.
	Warnings []string
}

// FetchCodes streams codes from the server's API into c:
//
//	GET {target}/v1/blocks/{id}/codes?format=dl&offset=O&limit=L
//	Authorization: Bearer KEY
//
// answers one code per line (Digital Link URIs https://HOST/01/…/21/…; the
// host is dropped, requests go to the target). Pages are read until a short
// page or PerBlock codes.
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
	blocks := o.Blocks
	if len(blocks) == 1 && blocks[0] == "all" {
		var err error
		if blocks, err = ListBlocks(ctx, o.Client, base, o.Key); err != nil {
			return st, err
		}
	}
	if len(blocks) == 0 {
		return st, fmt.Errorf("loadtest: no blocks to fetch codes from")
	}
	st.Blocks = blocks
	for _, id := range blocks {
		n, err := fetchBlock(ctx, c, o, base, id, "dl")
		st.DL += n
		if err != nil {
			return st, err
		}
		if n == 0 {
			st.Warnings = append(st.Warnings, fmt.Sprintf("block %s: no codes", id))
		}
		if o.Short {
			n, err := fetchBlock(ctx, c, o, base, id, "short")
			st.Short += n
			if err != nil {
				st.Warnings = append(st.Warnings, fmt.Sprintf("block %s: no short codes (%v)", id, err))
			}
		}
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

// ListBlocks returns the IDs of the blocks the key may read, from
// GET /v1/blocks. It accepts a JSON array of objects or an object holding one
// ("blocks", "items" or "data"), each with an "id" string or number.
func ListBlocks(ctx context.Context, client *http.Client, base, key string) ([]string, error) {
	u := strings.TrimRight(base, "/") + "/v1/blocks"
	body, err := apiGet(ctx, client, u, key, "application/json")
	if err != nil {
		return nil, err
	}
	defer body.Close()
	var v any
	if err := json.NewDecoder(io.LimitReader(body, 64<<20)).Decode(&v); err != nil {
		return nil, fmt.Errorf("loadtest: GET %s: not JSON: %w", u, err)
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
	var ids []string
	for _, e := range list {
		m, _ := e.(map[string]any)
		switch id := m["id"].(type) {
		case string:
			ids = append(ids, id)
		case float64:
			ids = append(ids, strconv.FormatFloat(id, 'f', -1, 64))
		}
	}
	if len(ids) == 0 {
		return nil, fmt.Errorf("loadtest: GET %s: no block ids in the answer", u)
	}
	return ids, nil
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
