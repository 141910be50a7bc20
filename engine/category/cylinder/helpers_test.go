package cylinder

import "tracecode/engine/alert"

func alertSubject() alert.Subject { return alert.Subject{Product: 7, Counter: 1, Code: "162001000123"} }
