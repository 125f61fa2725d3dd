from libs.service import main
from services.admin.bootstrap import SPEC

main(SPEC)
