"""URA's return codes for the documents the simulator reads: goods (T130), invoices (T109),
queries (T106, T108) and credit notes (T110), with URA-DOC's message text (efris.md §6.2-§6.3).

Only the codes the simulator answers are listed; a few doc typos are fixed ("TThis").
"""

from __future__ import annotations

_T130 = {
    "600": "GoodsCode cannot be empty",
    "601": "GoodsCode cannot be greater than 50!",
    "602": "goodsCode already exists",
    "603": "GoodsName cannot be empty",
    "604": "GoodsName cannot be greater than 200!",
    "605": "Measureunit cannot be empty",
    "607": "unitPrice cannot be empty!",
    "610": "unitPrice:Cannot be equal to 0",
    "611": "unitPrice:Cannot be negative",
    "612": "currency:Cannot be empty",
    "613": "currency:Invalid field value",
    "614": "commodityCategoryId:Cannot be empty",
    "615": "commodityCategoryId:Byte length cannot be greater than 18!",
    "616": "commodityCategoryId: invalid field value!",
    "620": "haveExciseTax:Cannot be empty",
    "621": "haveExciseTax: invalid field value!",
    "681": "If current taxpayer does not have a Local Excise Duty, haveExciseTax must be '102'!",
    "683": "operationType: invalid field value!",
    "684": "product does not exist!",
}

_T109_HEADER = {
    "1100": "sellerDetails-->tin:cannot be empty!",
    "1101": (
        "sellerDetails-->tin:The byte length cannot be less than 10 and cannot be greater than20!"
    ),
    "1102": "sellerDetails-->tin:The inner tin must be the same as the tin in the outer packet!",
    "1105": "sellerDetails-->legalName:cannot be empty!",
    "1115": "sellerDetails-->emailAddress:cannot be empty!",
    "1116": (
        "sellerDetails-->emailAddress:The byte length cannot be less than 6 and cannot be "
        "greater than50!"
    ),
    "1117": "sellerDetails-->emailAddress:Must be an email address",
    "1121": "sellerDetails-->referenceNo:Byte length cannot be greater than 50!",
    "1127": (
        "basicInformation-->deviceNo:The inner packet deviceNo must be the same as the "
        "deviceNo packet in the outer packet!"
    ),
    "1129": "basicInformation-->issuedDate:cannot be empty!",
    "1130": "basicInformation-->issuedDate:The time format must beyyyy-MM-dd HH:mm:ss!",
    "1131": "basicInformation-->operator:cannot be empty!",
    "1133": "basicInformation-->currency:cannot be empty!",
    "1135": "basicInformation-->invoiceType:Invalid field value!",
    "1139": "basicInformation-->invoiceKind:Invalid field value!",
    "1140": "basicInformation-->dataSource:Invalid field value!",
    "1143": (
        "buyerDetails-->buyerTin:The byte length cannot be less than 10 and cannot be "
        "greater than20!"
    ),
    "1156": "buyerDetails-->buyerEmail:Must be an email address",
    "1163": "buyerDetails-->buyerType:Invalid field value!",
    "1306": "summary-->modeCode:Invalid field value!",
    "1323": "basicInformation-->invoiceNo:summary-->modeCode is 1, ' invoiceNo ' Must be empty!",
    "1324": (
        "basicInformation-->antiFakeCode:summary-->modeCode is 1, 'antiFakeCode' Must be empty!"
    ),
    "1325": "basicInformation-->qrCode:summary-->modeCode is 1, 'qrCode' Must be empty!",
    "2047": "basicInformation-->invoiceIndustryCode:Invalid field value!",
    "2051": "basicInformation-->isBatch:Invalid field value!",
    "2067": "sellerDetails-->cannot be empty!",
    "2068": "basicInformation-->cannot be empty!",
    "2069": "buyerDetails-->cannot be empty!",
    "2070": "T109:data-->content:cannot be empty!",
    "2071": "goodsDetails-->cannot be empty!",
    "2072": "summary-->cannot be empty!",
    "2075": "Invoice amount exceeds the maximum limit!",
    "2180": "basicInformation-->currency:Invalid field value!",
    "2240": "basicInformation-->invoiceKind:You have registered VAT, please issue tax invoice!",
    "2244": "buyerDetails-->buyerType: cannot be empty!",
    "2247": (
        "buyerDetails-->buyerLegalName: If 'buyerType' is '0', buyerLegalName cannot be empty!"
    ),
    "2252": "sellerDetails-->isCheckReferenceNo:Invalid field value!",
    "2253": "The seller's reference number already exists!",
    "2254": "If 'isCheckReferenceNo' is '1',sellerDetails->referenceNo cannot be empty!",
    "2786": "You cannot issue offline invoices!",
    "2789": "basicInformation-->issuedDate: You cannot backdate invoices relating to prior periods!",
    "2804": "You don't have permission to issue credit memo!",
    "3075": "Please use interface api-T110 to apply credit note.",
    "3077": (
        "buyerDetails-->buyerTin: If 'buyerType' is '0', and 'InvoiceIndustry' is '101', and "
        "'nonResidentFlag' is '0', 'buyerTin' cannot be empty!"
    ),
    "3082": "buyerDetails-->buyerTin: If 'buyerType' is 'B2G', 'buyerTin' cannot be empty.",
}

_T109_LINES = {
    "1170": "goodsDetails-->deemedFlag:Invalid field value!",
    "1171": "goodsDetails-->discountFlag:Invalid field value!",
    "1172": (
        "goodsDetails-->discountFlag:The first product line cannot be a discount line, and "
        "'discountFlag' cannot be '0'!"
    ),
    "1173": (
        "goodsDetails-->discountFlag: Discount Flag 1 item must be followed by a corresponding "
        "Discount Flag 0 detailing the discount details!"
    ),
    "1174": "goodsDetails-->discountFlag:The last line can not be discounted line",
    "1175": "goodsDetails-->item:cannot be empty!",
    "1178": "goodsDetails-->item:if 'Discount' is '0', item + space + \"(Discount)\"!",
    "1179": "goodsDetails-->itemCode:cannot be empty!",
    "1181": "goodsDetails-->qty:Discount line is the 'qty' must be empty",
    "1185": "goodsDetails-->qty:Cannot be equal to 0",
    "1186": "goodsDetails-->qty:Cannot be negative",
    "1187": (
        "goodsDetails-->unitPrice:If the merchandise line is a discount line, the 'unitPrice' "
        "must be empty!"
    ),
    "1191": "goodsDetails-->unitPrice:Cannot be equal to 0",
    "1192": "goodsDetails-->unitPrice:Cannot be negative",
    "1194": "goodsDetails-->total:cannot be empty!",
    "1196": "goodsDetails-->total:Cannot be positive",
    "1197": "goodsDetails-->total:Cannot be equal to 0",
    "1198": "goodsDetails-->total:Cannot be negative",
    "1200": "goodsDetails-->tax:cannot be empty!",
    "1205": (
        "goodsDetails-->discountTotal:'discountFlag' is '0' or '2', therefore 'discountTotal' "
        "must be empty!"
    ),
    "1206": "goodsDetails-->total:Must be the same as the discountTotal value of the discounted row!",
    "1219": "goodsDetails-->orderNumber:Must start from zero and add one each time",
    "1220": "goodsDetails-->exciseFlag:Invalid field value!",
    "1227": "goodsDetails-->goodsCategoryId:cannot be empty!",
    "1267": "goodsDetails-->qty:Required if discountFlag is 1 or 2!",
    "1268": "goodsDetails-->unitPrice:Required if discountFlag is 1 or 2!",
    "1316": (
        "goodsDetails-->total:Multiply the quantity by the product of the unit price, and keep "
        "two decimals after the decimal point (prior to a discarded fraction (i.e., truncates))!"
    ),
    "1332": "goodsDetails-->taxRate:The tax rate for this product is not tax-exempt!",
    "1334": "goodsDetails-->taxRate:The tax rate for this product is not tax-zero!",
    "2048": "goodsDetails-->taxRate:taxRate error!",
    "2124": "goodsDetails-->itemCode:Does not match the goodsCategoryId!",
    "2139": "goodsDetails-->unitOfMeasure : Required if discountFlag is 1 or 2!",
    "2197": "Some items details are inconsistent with the goods maintenance.",
    "2776": "goodsDetails-->tax: Tax calculation error!",
    "2787": (
        "goodsDetails-->discountFlag:The previous line is not a discounted line,this line can "
        "not be a discount line!"
    ),
    "2821": "buyerDetails-->buyerTin: you don't have permission to issue deemed invoices!",
    "2850": (
        "goodsDetails-->exciseFlag: This product is not configured as excise duty, "
        "'exciseFlag' must be '2'!"
    ),
    "2857": "goodsDetails-->taxRate:If 'vatApplicableFlag' is '0', 'taxRate' must be '0'!",
    "3076": (
        "goodsDetails-->discountTotal:'discountFlag' is '1', therefore 'discountTotal' can not "
        "be empty!"
    ),
    "3114": "goodsDetails-->discountTotal: cannot be greater than total.",
}

_T109_TOTALS = {
    "1262": "taxDetails-->netAmount:cannot be empty!",
    "1269": "taxDetails-->taxAmount:cannot be empty!",
    "1274": "taxDetails-->grossAmount:cannot be empty!",
    "1289": "summary-->netAmount:cannot be empty!",
    "1294": "summary-->taxAmount:cannot be empty!",
    "1299": "summary-->grossAmount:cannot be empty!",
    "1304": (
        "summary-->itemCount:Must match the Number of all product lines in goodsDetail-number "
        "of discount lines!"
    ),
    "1317": "taxDetails-->grossAmount:calculation error!",
    "1342": "taxDetails-->:'netAmount' plus 'taxAmount' must equal 'grossAmount'!",
    "1343": "summary-->netAmount:calculation mistake!",
    "1344": "summary-->taxAmount:Must be equal to the sum of all taxAmount's in taxDetails!",
    "1345": (
        "summary-->grossAmount:Must be equal to the sum of all grossAmount's except "
        "'taxCategory' is'Excise Duty' in taxDetails!"
    ),
    "2262": "payWay-->paymentMode:cannot be empty!",
    "2264": "payWay-->paymentMode: invalid field value!",
    "2265": "payWay-->paymentAmount:cannot be empty!",
    "2270": "Total Amount Paid and Gross Amount are inconsistent!",
    "2785": (
        "Tax Amount in the Tax Details(Section E: Tax Details) cannot be less than the sum Tax "
        "in the Goods Details(Section D: Goods & Services Details)!"
    ),
    "2828": "taxDetails-->taxCategoryCode:cannot be empty!",
    "2830": "taxDetails-->taxCategoryCode:Invalid field value!",
    "2833": "taxDetails-->taxRate: If 'taxCategoryCode' is * , 'taxRate' must be *!",
    "3050": "taxDetails-->taxAmount: must be '0' if the tax category is zero rate.",
    "3051": "taxDetails-->taxAmount: must be '0' if the tax category is exemption.",
}

_QUERIES = {
    "1500": "invoiceNo:cannot be empty!",
    "1521": "pageNo:cannot be empty!",
    "1524": "pageSize:cannot be empty!",
    "1526": "pageSize:Cannot be greater than 100!",
    "1518": "startDate:The time format must beyyyy-MM-dd HH:mm:ss!",
    "1520": "endDate:The time format must beyyyy-MM-dd HH:mm:ss!",
    "2031": "invoiceNo:Invoice does not exist!",
    "2060": "referenceNo byte length cannot be greater than 50",
    "2066": "data-->content:Illegal json format!",
}

_T110 = {
    "312": (
        "Cannot apply for credit note/ debit note, the fiscal document has exceeded the "
        "allowable application days."
    ),
    "1400": "The original invoice does not exist!",
    "1504": "oriInvoiceNo:cannot be empty!",
    "2783": "oriInvoiceId:cannot be empty!",
    "1429": "goodsDetails-->qty:cannot be empty!",
    "1444": "goodsDetails-->tax:cannot be empty!",
    "1450": "goodsDetails-->total:cannot be empty!",
    "1455": "goodsDetails-->unitPrice:cannot be empty!",
    "1403": "oriInvoiceId must match oriInvoiceNo",
    "1404": "reasonCode:Invalid field value!",
    "1405": "Other reason can not be empty!",
    "1408": "applicationTime:cannot be empty!",
    "1409": "applicationTime:The time format must be:yyyy-MM-dd HH:mm:ss!",
    "1410": "invoiceApplyCategoryCode:Invalid field value!",
    "1411": "currency:Must be the same as the original invoice!",
    "1422": "sellersReferenceNo:Byte length cannot be greater than 50!",
    "1426": "goodsDetails-->orderNumber:Does not exist in the original invoice!",
    "1427": "goodsDetails-->item:Must be the same as the original invoice!",
    "1428": "goodsDetails-->itemCode:Must be the same as the original invoice!",
    "1431": "goodsDetails-->qty:Cannot be positive!",
    "1432": "goodsDetails-->qty:Cannot be equal to 0!",
    "1434": (
        "goodsDetails-->qty:Cannot be greater than the remaining value of the corresponding "
        "commodity line on original invoice!"
    ),
    "1443": "goodsDetails-->taxRate:Must be the same as the original invoice!",
    "1452": "goodsDetails-->total:Cannot be positive!",
    "1460": (
        "goodsDetails-->total:Cannot be greater than the remaining amount of the corresponding "
        "commodity line on original invoice!"
    ),
    "1480": "Credit Note request is illegal!",
    "2050": "Export invoice cannot apply for Credit Note",
    "3115": "summary-->grossAmount: cannot be greater than original invoice.",
    "3116": "summary-->taxAmount: cannot be greater than original invoice.",
}

DOCUMENT_MESSAGES: dict[str, str] = {
    **_T130,
    **_T109_HEADER,
    **_T109_LINES,
    **_T109_TOTALS,
    **_QUERIES,
    **_T110,
}
