from libs.service import main
from services.ingress.bootstrap import SPEC

main(SPEC)
