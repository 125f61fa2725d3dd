from libs.service import main
from services.router.bootstrap import SPEC

main(SPEC)
