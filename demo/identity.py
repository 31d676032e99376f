"""The demo council's identity. The development and benchmark settings use it
for each identity setting the environment leaves unset; production never
does (it requires the council's own, see core.identity)."""

DEMO_IDENTITY = {
    "COUNCIL_NAME": "Gloucester City Council",
    # Gloucester City Council's code on the register of local authorities in
    # England (org-id.guide's GB-LAE list).
    "THREESIXTYGIVING_FUNDER_ID": "GB-LAE-GLO",
    "THREESIXTYGIVING_PREFIX": "360G-gloucestercc",
    "ASSETS_DEFAULT_TOWN": "Gloucester",
}
