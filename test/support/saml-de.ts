/**
 * A `de` eService registered for SAML: the demo-saml registration (its SP keys and entity id) with the
 * TR-03130-1 §4.3.1 attribute names of the German profile instead of the `tw` names.
 *
 * @spec tr03130-1 §4.3.1 (attribute names)
 */
import { demoSamlDefinition } from './saml.js';

export const DE_APPROVED = ['GivenNames', 'FamilyNames', 'DateOfBirth', 'PlaceOfResidence', 'ResidencePermitII', 'AgeVerification'] as const;
export const DE_OPTIONAL = ['PlaceOfResidence', 'ResidencePermitII'] as const;

export function deSamlDefinition(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const { riSector: _ri, ...tw } = demoSamlDefinition();
  return {
    ...tw,
    id: 'demo-saml-de',
    names: { zh: '線上住址登記證明（示範，德國資料組）', en: 'Registration certificate online (demo, de data profile)' },
    profile: 'de',
    approvedAttributes: [...DE_APPROVED],
    optionalAttributes: [...DE_OPTIONAL],
    ...overrides,
  };
}
