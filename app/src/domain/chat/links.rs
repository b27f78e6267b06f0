//! A message's text cut into plain text and links, so pages show links as
//! safe anchors and everything else as text. FOUNDATION: the chat pages
//! helper writes it.
