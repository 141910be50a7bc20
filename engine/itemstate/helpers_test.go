package itemstate

import "github.com/RoaringBitmap/roaring/v2"

type roaringBitmap = roaring.Bitmap

func bitmapOf(v ...uint32) *roaring.Bitmap { return roaring.BitmapOf(v...) }
