package store

import (
	"encoding/binary"
	"fmt"
)

// Prefixes of an organisation's sites (factories, warehouses, shops,
// filling stations …) in the master-data range: each site under its
// organisation, and the index of sites by GLN. Package engine/site builds
// the values.
const (
	prefixSite      byte = 0x14 // 0x14 | org u32 | site u32 → site.Site
	prefixSiteByGLN byte = 0x15 // 0x15 | gln 13 digits     → org u32 | site u32
)

// SiteKey returns the key of organisation org's site id.
func SiteKey(org, id uint32) []byte { return be32(be32([]byte{prefixSite}, org), id) }

// SiteOrgPrefix returns the prefix of every site key of org.
func SiteOrgPrefix(org uint32) []byte { return be32([]byte{prefixSite}, org) }

// DecodeSiteKey decodes a Site key.
func DecodeSiteKey(k []byte) (org, id uint32, err error) {
	if len(k) != 9 || k[0] != prefixSite {
		return 0, 0, &KeyError{Key: k, Want: "a site key 0x14|org u32|site u32"}
	}
	return binary.BigEndian.Uint32(k[1:]), binary.BigEndian.Uint32(k[5:]), nil
}

// SiteByGLNKey returns the key of the site whose GLN is gln (13 digits).
func SiteByGLNKey(gln string) []byte { return append([]byte{prefixSiteByGLN}, gln...) }

// SiteByGLNValue returns the value of a SiteByGLN key: the site's
// organisation and id.
func SiteByGLNValue(org, id uint32) []byte { return be32(be32(nil, org), id) }

// DecodeSiteByGLNValue decodes a SiteByGLN value.
func DecodeSiteByGLNValue(v []byte) (org, id uint32, err error) {
	if len(v) != 8 {
		return 0, 0, fmt.Errorf("%w: site by GLN value: %d bytes, want 8", ErrCorrupt, len(v))
	}
	return binary.BigEndian.Uint32(v), binary.BigEndian.Uint32(v[4:]), nil
}
