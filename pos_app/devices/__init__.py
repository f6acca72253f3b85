"""Hardware without Qt and without the database: receipt layout and ESC/POS bytes, printer
transports and status, keyboard-wedge timing, the serial scanner, camera capture and the
barcode decoders. Devices take documents, frames and key events and give back bytes, codes
and states; the services above them decide what those mean."""
