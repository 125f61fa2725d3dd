from libs.service import main
from services.sandbox.bootstrap import SPEC

main(SPEC)
