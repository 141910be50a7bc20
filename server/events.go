package server

// eventRoutes are the routes of EPCIS capture, recalls, forward traces and
// the private trace.
func (s *Server) eventRoutes() []*route { return nil }
