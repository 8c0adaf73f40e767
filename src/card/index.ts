export { ATR, atr } from './atr.js';
export * from './card-file.js';
export type { CardHooks } from './context.js';
export { CardError, CardFileError } from './errors.js';
export { EID_AID, FID_CARD_ACCESS, FID_CARD_SECURITY } from './file-system.js';
export { type CardPki, type CreateCardOptions, createCard, loadCardPki } from './personalize.js';
export { portraitJpeg } from './photo.js';
export { type CardRng, systemRng } from './rng.js';
export { SAMPLE_CHINESE_NAME, sampleCitizen } from './sample-citizen.js';
export {
  buildCardAccess,
  buildCardSecurity,
  cardAccessInfos,
  cardSecurityInfos,
} from './security-objects.js';
export { VirtualCard, type VirtualCardOptions, writeCardFileAtomic } from './virtual-card.js';
export { connectVpcd, type VpcdConnection, type VpcdOptions } from './vpcd.js';
