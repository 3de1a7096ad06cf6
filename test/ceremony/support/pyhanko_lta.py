"""pyHanko's long-term validation (ETSI EN 319 102-1 § 5.6.3) of every signature of a PDF,
with the given root as the only trust anchor and revocation data from the file only,
required for end-entity and CA certificates alike. Prints one JSON line per signature."""
import asyncio
import json
import sys

from pyhanko.keys import load_cert_from_pemder
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation.ades import ades_lta_validation
from pyhanko.sign.validation.policy_decl import (
    PdfSignatureValidationSpec,
    RevinfoOnlineFetchingRule,
    RevocationInfoGatheringSpec,
    SignatureValidationSpec,
)
from pyhanko_certvalidator.context import CertValidationPolicySpec
from pyhanko_certvalidator.policy_decl import CertRevTrustPolicy, RevocationCheckingPolicy, RevocationCheckingRule
from pyhanko_certvalidator.registry import SimpleTrustManager

required = RevocationCheckingRule.CRL_OR_OCSP_REQUIRED
policy = CertValidationPolicySpec(
    trust_manager=SimpleTrustManager.build(trust_roots=[load_cert_from_pemder(sys.argv[2])]),
    revinfo_policy=CertRevTrustPolicy(RevocationCheckingPolicy(ee_certificate_rule=required, intermediate_ca_cert_rule=required)),
)
spec = PdfSignatureValidationSpec(
    SignatureValidationSpec(
        cert_validation_policy=policy,
        revinfo_gathering_policy=RevocationInfoGatheringSpec(online_fetching_rule=RevinfoOnlineFetchingRule.LOCAL_ONLY),
    )
)


async def main() -> None:
    with open(sys.argv[1], "rb") as f:
        reader = PdfFileReader(f)
        for sig in reader.embedded_regular_signatures:
            result = await ades_lta_validation(sig, spec)
            status = result.api_status
            print(json.dumps({
                "field": sig.field_name,
                "indication": str(result.ades_subindic),
                "bottomLine": bool(status and status.bottom_line),
                "modificationLevel": str(status.modification_level) if status else None,
            }))


asyncio.run(main())
