from libs.service import main
from services.outbound.bootstrap import SPEC

main(SPEC)
