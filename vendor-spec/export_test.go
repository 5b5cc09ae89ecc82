package vendorspec

// CommonTop is commonTop, for the external tests.
var CommonTop = commonTop
