"""What a till and headquarters share on the wire: the protocol (``protocol``: entry and
event shapes and their checks), request signing (``signing``), member QR codes
(``member_code``) and the till's HTTP client (``client``)."""
